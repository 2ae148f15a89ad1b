/**
 * Intake: where a new workspace starts from. A typed prompt, a GitHub issue (fenced as untrusted
 * data in the prompt, `Closes #N` in the PR), an existing branch (checked out, not created), or an
 * existing open pull request adopted by the ratchet loop ("ratchet this PR": no new PR is opened).
 * Pure: parsing and the refusals, no I/O.
 */
import { z } from 'zod';
import { branchNameSchema } from './workspace.js';

/** How the console names the start of a workspace in `POST /api/workspaces` (`source`). */
export const intakeSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prompt') }),
  z.object({ kind: z.literal('issue'), number: z.number().int().positive() }),
  z.object({ kind: z.literal('branch'), branch: branchNameSchema }),
  /** `pr`: the PR's URL (`https://github.com/o/r/pull/12`), `#12` or `12`. */
  z.object({ kind: z.literal('pr'), pr: z.string().trim().min(1).max(500) }),
]);
export type IntakeSource = z.infer<typeof intakeSourceSchema>;

/** What `workspaces.source` records. */
export type WorkspaceSource = IntakeSource['kind'];

export type PrReference =
  { ok: true; number: number; owner?: string; repo?: string } | { ok: false; reason: string };

/**
 * A pasted PR reference: a bare number, `#N`, or a GitHub pull URL (any host, so GitHub
 * Enterprise works too; the repository must be the project's, checked by `adoptionRefusal`).
 */
export function parsePrReference(raw: string): PrReference {
  const text = raw.trim();
  const bare = /^#?(\d{1,9})$/.exec(text);
  if (bare) return positive(Number(bare[1]));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'must be a pull request URL, #number or number' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: 'must be an http(s) pull request URL' };
  const m = /^\/([^/]+)\/([^/]+)\/pull\/(\d{1,9})(?:\/.*)?$/.exec(url.pathname);
  if (!m) return { ok: false, reason: 'is not a pull request URL (…/<owner>/<repo>/pull/<number>)' };
  const ref = positive(Number(m[3]));
  return ref.ok ? { ...ref, owner: m[1]!, repo: m[2]! } : ref;
}

function positive(n: number): PrReference {
  return n > 0 ? { ok: true, number: n } : { ok: false, reason: 'must be a positive PR number' };
}

/** The facts about a PR that decide whether Ratchet may adopt it. */
export interface AdoptionCandidate {
  number: number;
  state: string;
  merged: boolean;
  headRef: string;
  /** `owner/repo` of the head branch's repository; null when that repository was deleted. */
  headRepo: string | null;
  baseRef: string;
}

/** A PR as intake sees it: what adoption checks, plus what the workspace records. */
export interface PullForAdoption extends AdoptionCandidate {
  url: string;
  title: string;
  headSha: string;
  draft: boolean;
}

/**
 * Why a PR cannot be adopted, or null when it can. Ratchet pushes fixes to the head branch, so a
 * fork's PR (a branch it cannot push to) is refused, as is one that is not open, one named by a
 * URL of another repository, or one whose head branch Ratchet could not use as a worktree branch.
 */
export function adoptionRefusal(
  pr: AdoptionCandidate,
  project: { owner: string; repo: string },
  named?: { owner?: string; repo?: string },
): string | null {
  const full = `${project.owner}/${project.repo}`.toLowerCase();
  if (named?.owner && named.repo && `${named.owner}/${named.repo}`.toLowerCase() !== full)
    return `PR URL names ${named.owner}/${named.repo}, not this project's repository ${project.owner}/${project.repo}`;
  if (pr.merged) return `PR #${pr.number} is already merged`;
  if (pr.state !== 'open') return `PR #${pr.number} is ${pr.state}, not open`;
  if (pr.headRepo === null) return `PR #${pr.number} comes from a deleted fork; Ratchet cannot push to it`;
  if (pr.headRepo.toLowerCase() !== full)
    return `PR #${pr.number} comes from the fork ${pr.headRepo}; Ratchet only adopts PRs whose branch is in ${project.owner}/${project.repo} (it pushes fixes there)`;
  if (!branchNameSchema.safeParse(pr.headRef).success)
    return `PR #${pr.number}'s branch ${JSON.stringify(pr.headRef)} is not a branch name Ratchet accepts`;
  return null;
}

/** The PR body's closing line for a workspace started from an issue (GitHub closes it on merge). */
export function closesLine(issueNumber: number): string {
  return `Closes #${issueNumber}`;
}
