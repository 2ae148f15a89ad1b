/**
 * githubLookupWorkflow (ID `lookup/<project>/<what>/<nonce>`): one GitHub read the console needs
 * for intake (the open issues, one issue with its comments, one PR), run on the worker so it goes
 * through the product's Octokit client (token, ETag cache, rate-limit handling) instead of a
 * second client in the console. Reads only; a lookup that fails is the console's 4xx/5xx.
 */
import { proxyActivities } from '@temporalio/workflow';
import { GITHUB_PERMANENT_ERRORS } from '../core/errors.js';
import type { GithubActivities } from '../activities/github/index.js';
import type { LookupInput } from './contracts.js';

// Short: one person is waiting on the answer; rate limits and transport errors retry a little.
const github = proxyActivities<GithubActivities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [...GITHUB_PERMANENT_ERRORS],
  },
});

export async function githubLookupWorkflow(input: LookupInput) {
  const repo = { owner: input.owner, repo: input.repo };
  switch (input.kind) {
    case 'issues':
      return github.githubListIssues({
        ...repo,
        assignedToMe: false,
        state: 'open',
        ...(input.text ? { text: input.text } : {}),
        limit: input.limit ?? 100,
      });
    case 'issue':
      return github.githubGetIssue({ ...repo, number: input.number });
    case 'pull':
      return github.githubGetPullForAdoption({ ...repo, number: input.number });
  }
}
