/**
 * Chooses and renders the prompt templates for one agent turn. Model runners get the system
 * prompt and the purpose's template; the `script` runner gets the raw text (its own script).
 * Data from outside (issues, CI logs, reviews) only ever enters as an untrusted variable.
 */
import type { RunnerName, SessionPurpose } from '../../core/agent.js';
import type { StoppedTurn } from '../../core/stopped-turn.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import { renderPrompt } from '../../prompts/render.js';

export interface TurnPromptInput {
  runner: RunnerName;
  purpose: SessionPurpose;
  /** The user's text: the task, a follow-up message, or a fixer's summary. */
  text: string;
  spec: WorkspaceSpec;
  /** Purpose-specific values: `plan` (approved plan), `prNumber`, `headSha`, `checks`, `logs`, `reviews`, `threads`, `baseBranch`. */
  vars: Readonly<Record<string, unknown>>;
  /**
   * A follow-up right after a turn the user stopped: what that turn had said and done (see
   * `readStoppedTurn`), so the agent continues from it. Ignored for other purposes.
   */
  stoppedTurn?: StoppedTurn | null;
}

/** Fixers pass JSON strings or values; untrusted blocks take any JSON value. */
function json(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

const str = (v: unknown, fallback = ''): string => (v === undefined || v === null ? fallback : String(v));

export function renderUserPrompt({ purpose, text, spec, vars, stoppedTurn }: TurnPromptInput): string {
  const issue = spec.issue;
  switch (purpose) {
    case 'implement':
      if (vars.plan !== undefined) return renderPrompt('implement-plan', { plan: str(vars.plan) });
      if (issue) {
        return renderPrompt('implement-issue', {
          repo: spec.github ? `${spec.github.owner}/${spec.github.repo}` : spec.repoPath,
          issue,
        });
      }
      return renderPrompt('implement', { task: text });
    case 'plan':
      return renderPrompt('plan', { task: text, issue: issue ?? null });
    case 'followup':
      if (stoppedTurn)
        return renderPrompt('followup-after-stop', {
          message: text,
          base_branch: spec.baseBranch,
          stopped_turn: stoppedTurn,
        });
      return renderPrompt('followup', { message: text, base_branch: spec.baseBranch });
    case 'ci-fix':
      return renderPrompt('ci-fix', {
        pr_number: str(vars.prNumber, '?'),
        head_sha: str(vars.headSha, '?'),
        checks: { checks: json(vars.checks), logs: json(vars.logs) },
      });
    case 'review-fix':
      return renderPrompt('review-fix', {
        pr_number: str(vars.prNumber, '?'),
        reviews: { reviews: json(vars.reviews), threads: json(vars.threads) },
      });
    case 'conflict-fix':
      return renderPrompt('conflict-fix', {
        branch: spec.branch,
        base_ref: `${spec.remote}/${str(vars.baseBranch, spec.baseBranch)}`,
      });
  }
}

export function renderTurnPrompts(input: TurnPromptInput): { system: string; user: string } {
  if (input.runner === 'script') return { system: '', user: input.text };
  return {
    system: renderPrompt('system', {
      worktree: input.spec.worktreePath,
      branch: input.spec.branch,
      base_branch: input.spec.baseBranch,
    }),
    user: renderUserPrompt(input),
  };
}
