/**
 * Workflow contracts the console shares with the worker: type names and payloads of the small
 * workflows it starts (GitHub lookups for intake, webhook delivery of a notification). No logic.
 */
import type { PullForAdoption } from '../core/intake.js';

export type { PullForAdoption };

export const NOTIFY_WORKFLOW_TYPE = 'notifyWorkflow';
export const LOOKUP_WORKFLOW_TYPE = 'githubLookupWorkflow';

export interface NotifyInput {
  notificationId: number;
}

export type NotifyResult =
  | { delivered: true; status: number; attempt: number }
  | { delivered: false; reason: 'no_webhook' | 'notification_gone' };

export type LookupInput =
  | { kind: 'issues'; owner: string; repo: string; text?: string; limit?: number }
  | { kind: 'issue'; owner: string; repo: string; number: number }
  | { kind: 'pull'; owner: string; repo: string; number: number };
