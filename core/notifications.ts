/**
 * What each "a person is needed" moment says, and the webhook's JSON. Pure: the activities that
 * raise notifications and the webhook delivery call these; the inbox shows what they return.
 *
 * Who raises what (each once, by dedupe key):
 * | Moment | Raised by | Dedupe key |
 * |---|---|---|
 * | plan waiting for approval | `setStatus('awaiting_plan_approval')` (store activity) | `status/<status write key>` |
 * | budget reached | `setStatus('awaiting_budget')` | `status/<status write key>` |
 * | workspace failed | `setStatus('failed')` | `status/<status write key>` |
 * | script awaiting trust | workspace workflow (`recordNotification`) | `trust/<ws>/<sha256>` |
 * | fixer asked a question | ratchet (`ratchetNotify`) | `ask/<ws>/<fix number>` |
 * | loop stalled | ratchet (`ratchetNotify`) | `stalled/<ws>/<snapshot key>` |
 * | PR merged | `ratchetRecordDecision` with state `merged` | `merged/<ws>` |
 */

export type NotificationLevel = 'info' | 'warn' | 'error';

export interface NotificationContent {
  level: NotificationLevel;
  title: string;
  body: string;
}

/** The notification a workspace status change raises, or null for statuses nobody waits on. */
export function statusNotification(
  status: string,
  workspaceTitle: string,
  message: string,
): NotificationContent | null {
  switch (status) {
    case 'awaiting_plan_approval':
      return { level: 'info', title: `Plan ready for review: "${workspaceTitle}"`, body: message };
    case 'awaiting_budget':
      return { level: 'warn', title: `Budget reached: "${workspaceTitle}"`, body: message };
    case 'failed':
      return { level: 'error', title: `Workspace failed: "${workspaceTitle}"`, body: message };
    default:
      return null;
  }
}

/** The notification a merged PR raises. */
export function mergedNotification(prNumber: number | null, workspaceTitle: string): NotificationContent {
  return {
    level: 'info',
    title: `PR${prNumber ? ` #${prNumber}` : ''} merged: "${workspaceTitle}"`,
    body: 'The pull request was merged.',
  };
}

/** What the inbox link and the webhook call the moment, from the dedupe key's first segment. */
export function notificationKind(dedupeKey: string | null): string {
  const head = (dedupeKey ?? '').split('/')[0] ?? '';
  if (head === 'status') {
    const m = /\/status-([a-z_]+)$/.exec(dedupeKey ?? '');
    return m ? m[1]! : 'status';
  }
  return head || 'notice';
}

/** Slack-style text: `*title*`, the body (first 1,500 characters), the link. */
export function slackText(n: { title: string; body: string }, link: string | null): string {
  const body = n.body.length > 1500 ? `${n.body.slice(0, 1500)}…` : n.body;
  return [`*${n.title}*`, body, link ? `<${link}|Open in Ratchet>` : null].filter(Boolean).join('\n');
}

export interface WebhookPayload {
  text: string;
  id: number;
  kind: string;
  level: string;
  title: string;
  body: string;
  workspaceId: string | null;
  workspaceTitle: string | null;
  url: string | null;
  createdAt: string;
}

export function webhookPayload({
  notification: n,
  workspaceTitle,
  consoleUrl,
}: {
  notification: {
    id: number;
    level: string;
    title: string;
    body: string;
    workspaceId: string | null;
    dedupeKey: string | null;
    createdAt: number;
  };
  workspaceTitle: string | null;
  consoleUrl: string;
}): WebhookPayload {
  const base = consoleUrl.replace(/\/+$/, '');
  const url = n.workspaceId ? `${base}/workspaces/${encodeURIComponent(n.workspaceId)}` : `${base}/inbox`;
  return {
    text: slackText(n, url),
    id: n.id,
    kind: notificationKind(n.dedupeKey),
    level: n.level,
    title: n.title,
    body: n.body,
    workspaceId: n.workspaceId,
    workspaceTitle,
    url,
    createdAt: new Date(n.createdAt).toISOString(),
  };
}
