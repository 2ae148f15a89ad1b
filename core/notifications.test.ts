import { describe, expect, it } from 'vitest';
import { notificationKind, slackText, statusNotification, webhookPayload } from './notifications.js';

describe('statusNotification', () => {
  it.each<[string, string | null]>([
    ['awaiting_plan_approval', 'Plan ready for review: "T"'],
    ['awaiting_budget', 'Budget reached: "T"'],
    ['failed', 'Workspace failed: "T"'],
    ['agent_running', null],
    ['pr_open', null],
  ])('statusNotification raises for %s only when a person is needed', (status, title) => {
    expect(statusNotification(status, 'T', 'why')?.title ?? null).toBe(title);
  });
});

describe('notificationKind', () => {
  it.each<[string | null, string]>([
    ['ask/ws1/3', 'ask'],
    ['stalled/ws1/ci:abc', 'stalled'],
    ['merged/ws1', 'merged'],
    ['trust/ws1/abc', 'trust'],
    ['status/workspace/ws1/run/4/status-failed', 'failed'],
    ['status/workspace/ws1/run/4/status-awaiting_budget', 'awaiting_budget'],
    [null, 'notice'],
  ])('notificationKind of %s is %s', (key, kind) => {
    expect(notificationKind(key)).toBe(kind);
  });
});

describe('webhookPayload', () => {
  it('webhookPayload carries a Slack-style text with the link and the structured fields', () => {
    const p = webhookPayload({
      notification: {
        id: 9,
        level: 'warn',
        title: 'PR #4 needs a decision',
        body: 'Which API?',
        workspaceId: 'ws_1',
        dedupeKey: 'ask/ws_1/1',
        createdAt: Date.UTC(2026, 11, 1, 12, 0, 0),
      },
      workspaceTitle: 'Add X',
      consoleUrl: 'http://127.0.0.1:3000/',
    });
    expect(p).toEqual({
      text: '*PR #4 needs a decision*\nWhich API?\n<http://127.0.0.1:3000/workspaces/ws_1|Open in Ratchet>',
      id: 9,
      kind: 'ask',
      level: 'warn',
      title: 'PR #4 needs a decision',
      body: 'Which API?',
      workspaceId: 'ws_1',
      workspaceTitle: 'Add X',
      url: 'http://127.0.0.1:3000/workspaces/ws_1',
      createdAt: '2026-12-01T12:00:00.000Z',
    });
  });

  it('slackText cuts a long body at 1,500 characters', () => {
    const text = slackText({ title: 't', body: 'x'.repeat(2000) }, null);
    expect(text).toBe(`*t*\n${'x'.repeat(1500)}…`);
  });
});
