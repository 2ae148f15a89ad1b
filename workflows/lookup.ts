/**
 * githubLookupWorkflow (ID `lookup/<project>/<what>/<nonce>`): one GitHub read the console needs
 * for intake (the open issues, one issue with its comments, one PR), run on the worker so it goes
 * through the product's Octokit client (token, ETag cache, rate-limit handling) instead of a
 * second client in the console. Reads only; a lookup that fails is the console's 4xx/5xx.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { GithubActivities } from '../activities/github/index.js';
import { githubInteractiveOptions } from './activity-options.js';
import type { LookupInput } from './contracts.js';

// One person is waiting on the answer: a few quick tries.
const github = proxyActivities<GithubActivities>(githubInteractiveOptions);

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
