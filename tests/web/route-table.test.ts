/**
 * web/lib/route-table.ts is what the proxy answers 405 (with `Allow`) from, so it must list every
 * page and route file under web/app with exactly the methods each exports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES, matchRoute } from '../../web/lib/route-table.js';

const APP = path.resolve(import.meta.dirname, '../../web/app');

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function onDisk(): { pattern: string; kind: 'api' | 'page'; methods: string[] }[] {
  return walk(APP)
    .filter((f) => /\/(route\.ts|page\.tsx)$/.test(f))
    .map((f) => {
      const rel = path.relative(APP, path.dirname(f)).split(path.sep).filter(Boolean);
      const pattern = `/${rel.join('/')}`;
      if (f.endsWith('page.tsx')) return { pattern, kind: 'page' as const, methods: ['GET'] };
      const source = fs.readFileSync(f, 'utf8');
      const methods = [
        ...source.matchAll(
          /^export (?:const|async function|function) (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/gm,
        ),
      ].map((m) => m[1]!);
      return { pattern, kind: 'api' as const, methods };
    });
}

describe('route table', () => {
  it('lists every page and route file of web/app with the methods it exports', () => {
    const sort = <T extends { pattern: string }>(xs: T[]) =>
      [...xs].sort((a, b) => a.pattern.localeCompare(b.pattern));
    const disk = sort(onDisk()).map((r) => ({ ...r, methods: [...r.methods].sort() }));
    const table = sort(
      ROUTES.map((r) => ({ pattern: r.pattern, kind: r.kind, methods: [...r.methods].sort() })),
    );
    expect(table).toEqual(disk);
  });

  it('matchRoute fills dynamic segments and adds HEAD and OPTIONS to Allow', () => {
    expect(matchRoute('/api/workspaces/ws_1/budget')).toMatchObject({
      pattern: '/api/workspaces/[id]/budget',
      allow: ['POST', 'OPTIONS'],
    });
    expect(matchRoute('/api/projects')?.allow).toEqual(['GET', 'HEAD', 'POST', 'OPTIONS']);
    expect(matchRoute('/_next/static/chunks/x.js')?.kind).toBe('static');
    expect(matchRoute('/nope')).toBeNull();
  });
});
