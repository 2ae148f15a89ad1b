/**
 * Console-side entry points of the ratchet loop: poke a project's poller (poll GitHub now instead
 * of at the end of the interval) and turn a verified GitHub webhook delivery into such a poke.
 * A poke is only a hint: the poller still reads everything from GitHub itself and spaces cycles,
 * so a flood of deliveries cannot become a flood of GitHub requests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { findProjectByGithubRepo, getProject } from '../../db/queries/projects.js';
import { pokeSignal } from '../../workflows/ratchet-messages.js';
import { DomainError } from './errors.js';

export interface PokeResult {
  poked: boolean;
  pollerId: string | null;
  /** Why nothing was poked (no GitHub repository, no PR being watched). */
  reason?: string;
}

async function pokeRepo(client: Client, owner: string, repo: string, reason: string): Promise<PokeResult> {
  const pollerId = workflowIds.poller(owner, repo);
  try {
    await client.workflow.getHandle(pollerId).signal(pokeSignal, { reason });
    return { poked: true, pollerId };
  } catch (err) {
    // No poller: no PR of this repository is being watched, so there is nothing to hurry.
    if (err instanceof WorkflowNotFoundError)
      return { poked: false, pollerId, reason: 'no pull request of this repository is being watched' };
    throw err;
  }
}

export async function pokeProject({
  db,
  client,
  projectId,
  reason,
}: {
  db: Db;
  client: Client;
  projectId: string;
  reason: string;
}): Promise<PokeResult> {
  const project = getProject({ db, id: projectId });
  if (!project) throw new DomainError('ProjectNotFound', `No project ${projectId}`);
  if (!project.githubOwner || !project.githubRepo) {
    return { poked: false, pollerId: null, reason: 'the project has no GitHub repository' };
  }
  return pokeRepo(client, project.githubOwner, project.githubRepo, reason);
}

/** True when `signature` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`. Constant time. */
export function verifyWebhookSignature(secret: string, body: string, signature: string | null): boolean {
  if (!signature?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Deliveries that can change what the ratchet decides; everything else is acknowledged and ignored. */
export const WEBHOOK_EVENTS = [
  'pull_request',
  'pull_request_review',
  'pull_request_review_thread',
  'pull_request_review_comment',
  'check_run',
  'check_suite',
  'status',
  'push',
] as const;

export const webhookPayloadSchema = z.object({
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) }),
});

export async function handleGithubWebhook({
  db,
  client,
  event,
  payload,
}: {
  db: Db;
  client: Client;
  event: string;
  payload: z.infer<typeof webhookPayloadSchema>;
}): Promise<PokeResult & { event: string }> {
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
    return { event, poked: false, pollerId: null, reason: `event ${event} does not affect the ratchet` };
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const known = findProjectByGithubRepo({ db, owner, repo });
  if (!known) return { event, poked: false, pollerId: null, reason: `no project for ${owner}/${repo}` };
  return { event, ...(await pokeRepo(client, owner, repo, `webhook ${event}`)) };
}
