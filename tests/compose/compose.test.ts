/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: `docker-compose config`
 * validates and normalises the file; the Temporal CLI on this machine proves the service's command
 * flags exist and that its healthcheck command fails when nothing serves and passes when a server does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../support/ports.js';
import { startDevServer } from '../support/temporal.js';
import { resolveDevServer } from '../../scripts/temporal-servers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const inCi = () => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

function composeBinary(): string | null {
  const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (probe.status === 0) return 'docker-compose';
  if (inCi())
    throw new Error(
      'CI=true: docker-compose is not installed (apt-get install docker-compose); the compose file cannot be validated.',
    );
  return null;
}

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface ComposeConfig {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const compose = composeBinary();
let env: TestWorkflowEnvironment | undefined;
afterAll(async () => {
  await env?.teardown();
});

describe.runIf(compose !== null)('docker-compose.yml', () => {
  const config = () => {
    const out = execFileSync(compose!, ['-f', 'docker-compose.yml', 'config'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, COMPOSE_PROJECT_NAME: 'ratchet' },
    });
    return parse(out) as ComposeConfig;
  };

  it('docker-compose config accepts the file and it has both services, their volumes and ports', () => {
    const c = config();
    expect(Object.keys(c.services).sort()).toEqual(['ratchet', 'temporal']);
    expect(Object.keys(c.volumes).sort()).toEqual(['ratchet-home', 'temporal-data']);
    const { temporal, ratchet } = c.services as { temporal: Service; ratchet: Service };
    expect(temporal.image).toMatch(/^temporalio\/temporal(:|$)/);
    expect(temporal.volumes).toContain('temporal-data:/data:rw');
    expect(temporal.ports).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/:7233:7233\/tcp$/),
        expect.stringMatching(/:8233:8233\/tcp$/),
      ]),
    );
    expect(ratchet.build?.context).toBe(ROOT);
    expect(ratchet.ports).toEqual([expect.stringMatching(/:3000:3000\/tcp$/)]);
    expect(ratchet.volumes).toContain('ratchet-home:/root/.ratchet:rw');
    expect(ratchet.volumes?.some((v) => v.endsWith(':/repos:rw'))).toBe(true);
  });

  it('the ratchet service waits for a healthy Temporal and talks to it by service name', () => {
    const { temporal, ratchet } = config().services as { temporal: Service; ratchet: Service };
    expect(ratchet.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(ratchet.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      RATCHET_HOST: '0.0.0.0',
      RATCHET_HOME: '/root/.ratchet',
    });
    expect(temporal.healthcheck?.test[0]).toBe('CMD');
    expect(temporal.command?.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(temporal.command).toEqual(
      expect.arrayContaining(['--ip', '0.0.0.0', '--db-filename', '/data/temporal.db', '--ui-port', '8233']),
    );
  });

  it("the temporal service's command flags exist and its healthcheck tells a dead server from a live one", async () => {
    const bin = await resolveDevServer({ provision: false });
    if (!bin) {
      if (inCi()) throw new Error('CI=true: the Temporal CLI is required to check the compose healthcheck');
      return;
    }
    const { temporal } = config().services as { temporal: Service };
    const help = execFileSync(bin, ['server', 'start-dev', '--help'], { encoding: 'utf8' });
    for (const flag of temporal.command!.filter((a) => a.startsWith('--'))) expect(help).toContain(flag);

    const health = (address: string) => {
      const args = temporal.healthcheck!.test.slice(2).map((a) => (a === '127.0.0.1:7233' ? address : a));
      return spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
    };
    expect(health(`127.0.0.1:${await freePort()}`).status).not.toBe(0);
    env = await startDevServer();
    const live = health(env.address);
    expect(live.status, live.stderr).toBe(0);
  });
});

describe('Dockerfile', () => {
  const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  // The image is built and run for real by compose-up.test.ts (npm run test:compose); these are the
  // quick checks that run in every `npm test`.
  it('builds on node:20-bookworm-slim with native build tools, npm ci, the console build and a prune', () => {
    expect(text.match(/^FROM node:20-bookworm-slim/gm)).toHaveLength(2);
    expect(text).toMatch(/apt-get install[^\n]*python3 make g\+\+/);
    expect(text).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
    expect(text).not.toMatch(/^RUN npm install/m);
    expect(text).toMatch(/^RUN npm run web:build \\$/m);
    expect(text).toMatch(/npm prune --omit=dev/);
    expect(text).toMatch(/rm -rf web\/\.next\/cache/);
  });
  it('runs the supervisor against the compose Temporal service', () => {
    expect(text).toMatch(/TEMPORAL_ADDRESS=temporal:7233/);
    expect(text).toMatch(/^CMD \["node_modules\/\.bin\/tsx", "scripts\/supervisor\.ts"\]$/m);
    expect(fs.existsSync(path.join(ROOT, 'scripts', 'supervisor.ts'))).toBe(true);
  });
  it('.dockerignore keeps node_modules, builds and local databases out of the context', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'web/.next', '.git', '*.db']) expect(ignore).toContain(entry);
  });
});
