'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { AgentMode, RunnerName } from '../../core/agent.js';
import type { ConsoleSettings, SettingKey } from '../../core/settings.js';
import { api, ApiFailure, errorText } from './api.js';
import { RUNNERS } from './new-workspace-form.js';

interface SettingsAnswer {
  settings: ConsoleSettings;
  invalid: SettingKey[];
  /** After a daily-budget change: workspaces waiting for budget that were asked to try again. */
  woke?: string[];
  wakeError?: string;
}

/** Form state is text, as typed; the server parses it and names what is wrong. */
interface Fields {
  runner: RunnerName;
  provider: string;
  model: string;
  mode: AgentMode;
  maxTurns: string;
  workspaceBudget: string;
  dailyBudget: string;
  webhookUrl: string;
}
type TextKey = Exclude<keyof Fields, 'runner' | 'mode'>;

/** What the form shows while no agent defaults are stored. */
export interface AgentFallback {
  runner: RunnerName;
  mode: AgentMode;
  maxTurns: number;
}

function fieldsFrom(s: ConsoleSettings, fallback: AgentFallback): Fields {
  const agent = s['agent.defaults'];
  return {
    runner: agent?.runner ?? fallback.runner,
    provider: agent?.provider ?? '',
    model: agent?.model ?? '',
    mode: agent?.mode ?? fallback.mode,
    maxTurns: String(agent?.maxTurns ?? fallback.maxTurns),
    workspaceBudget: s['budget.workspaceDefaultUsd'] === null ? '' : String(s['budget.workspaceDefaultUsd']),
    dailyBudget: s['budget.dailyUsd'] === null ? '' : String(s['budget.dailyUsd']),
    webhookUrl: s['notify.webhookUrl'] ?? '',
  };
}

/** Blank clears a cap; text that is not a number goes to the server as typed so it can say why. */
const dollars = (text: string): number | string | null =>
  text.trim() === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text;
const wholeNumber = (text: string): number | string | undefined =>
  text.trim() === '' ? undefined : Number.isFinite(Number(text)) ? Number(text) : text;

/**
 * Edits the console settings: the agent defaults new workspaces start with, and the two budgets.
 * `fallback` fills the agent fields while no defaults are stored; `available` marks runners this
 * machine has no credentials for.
 */
export function SettingsForm({
  initial,
  invalid: initialInvalid,
  fallback,
  available,
}: {
  initial: ConsoleSettings;
  invalid: SettingKey[];
  fallback: AgentFallback;
  available: Record<RunnerName, boolean>;
}) {
  const router = useRouter();
  const [fields, setFields] = useState<Fields>(() => fieldsFrom(initial, fallback));
  const [invalid, setInvalid] = useState(initialInvalid);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => {
    setFields((f) => ({ ...f, [key]: value }));
    setSaved(null);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    setError(null);
    setSaved(null);
    try {
      const answer = await api<SettingsAnswer>('/api/settings', {
        method: 'PATCH',
        body: {
          'agent.defaults': {
            runner: fields.runner,
            provider: fields.provider,
            model: fields.model,
            mode: fields.mode,
            maxTurns: wholeNumber(fields.maxTurns),
          },
          'budget.workspaceDefaultUsd': dollars(fields.workspaceBudget),
          'budget.dailyUsd': dollars(fields.dailyBudget),
          'notify.webhookUrl': fields.webhookUrl.trim() === '' ? null : fields.webhookUrl.trim(),
        },
      });
      setFields(fieldsFrom(answer.settings, fallback));
      setInvalid(answer.invalid);
      const woke = answer.woke?.length ?? 0;
      setSaved(
        answer.wakeError ??
          (woke > 0
            ? `Saved. ${woke} workspace${woke === 1 ? '' : 's'} waiting for budget will try again.`
            : 'Saved.'),
      );
      router.refresh();
    } catch (err) {
      if (err instanceof ApiFailure) setFailure(err);
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const problem = (path: string) => failure?.field(path);
  const fieldError = (path: string) => {
    const message = problem(path);
    return message && <span className="error">{message}</span>;
  };
  const unplaced = failure?.fields.filter((f) => !FIELD_PATHS.includes(f.path)) ?? [];
  /** A text or number input bound to `key`, with the server's message for `path` under it. */
  const textField = (
    label: string,
    key: TextKey,
    path: string,
    extra: { type?: 'number' | 'url' | 'password'; step?: string; placeholder?: string } = {},
  ) => (
    <label>
      {label}
      <input
        name={key}
        value={fields[key]}
        onChange={(e) => set(key, e.target.value)}
        aria-invalid={problem(path) ? true : undefined}
        {...extra}
      />
      {fieldError(path)}
    </label>
  );

  return (
    <form className="card form" onSubmit={submit} aria-label="Edit settings" noValidate>
      <h2>Agent defaults</h2>
      <p className="muted hint">
        New workspaces start with these unless the request says otherwise. Provider and model belong to the
        runner: a workspace started on another runner uses that runner&apos;s own defaults.
      </p>
      {invalid.length > 0 && (
        <p className="warn" role="alert">
          Stored {invalid.join(', ')} {invalid.length === 1 ? 'is' : 'are'} not valid and ignored; saving
          replaces {invalid.length === 1 ? 'it' : 'them'}.
        </p>
      )}
      <div className="row">
        <label>
          Runner
          <select
            name="runner"
            value={fields.runner}
            onChange={(e) => set('runner', e.target.value as RunnerName)}
            aria-invalid={problem('agent.defaults.runner') ? true : undefined}
          >
            {RUNNERS.map((r) => (
              <option key={r} value={r}>
                {available[r] ? r : `${r} (not configured)`}
              </option>
            ))}
          </select>
          {fieldError('agent.defaults.runner')}
        </label>
        <label>
          Mode
          <select name="mode" value={fields.mode} onChange={(e) => set('mode', e.target.value as AgentMode)}>
            <option value="agent">agent</option>
            <option value="plan">plan first</option>
          </select>
          {fieldError('agent.defaults.mode')}
        </label>
        {textField('Provider', 'provider', 'agent.defaults.provider', { placeholder: 'runner default' })}
        {textField('Model', 'model', 'agent.defaults.model', { placeholder: 'runner default' })}
        {textField('Max turns', 'maxTurns', 'agent.defaults.maxTurns', { type: 'number', step: '1' })}
      </div>

      <h2>Budgets</h2>
      <p className="muted hint">
        Checked before every model call; a workspace that reaches one waits in <code>awaiting budget</code>{' '}
        until you raise it. Leave blank for no cap.
      </p>
      <div className="row">
        {textField('Workspace budget (USD)', 'workspaceBudget', 'budget.workspaceDefaultUsd', {
          type: 'number',
          step: '0.01',
          placeholder: 'no cap',
        })}
        {textField('Daily budget (USD)', 'dailyBudget', 'budget.dailyUsd', {
          type: 'number',
          step: '0.01',
          placeholder: 'no cap',
        })}
      </div>
      <p className="muted hint">
        The workspace budget is the cap each new workspace starts with; the daily budget covers all workspaces
        together, per UTC day.
      </p>

      <h2>Notifications</h2>
      <p className="muted hint">
        Every inbox item is also POSTed here as JSON, with a Slack-style <code>text</code> field (a Slack
        incoming-webhook URL works as is) and the structured fields; delivered once, retried until the
        receiver answers 2xx. The URL is a secret: it is never logged. Leave blank for no webhook.
      </p>
      <div className="row">
        {textField('Webhook URL', 'webhookUrl', 'notify.webhookUrl', {
          type: 'password',
          placeholder: 'https://hooks.slack.com/services/…',
        })}
      </div>

      {(unplaced.length > 0 || (failure && failure.fields.length === 0)) && (
        <p className="error" role="alert">
          {unplaced.length > 0 ? unplaced.map((f) => `${f.path}: ${f.message}`).join('; ') : failure?.message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
        {saved && (
          <span className="notice" role="status" data-testid="settings-saved">
            {saved}
          </span>
        )}
      </div>
    </form>
  );
}

/** Issue paths shown next to their own field; anything else is listed above the button. */
const FIELD_PATHS = [
  'agent.defaults.runner',
  'agent.defaults.mode',
  'agent.defaults.provider',
  'agent.defaults.model',
  'agent.defaults.maxTurns',
  'budget.workspaceDefaultUsd',
  'budget.dailyUsd',
  'notify.webhookUrl',
];
