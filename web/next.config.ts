import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// The console imports ../core, ../db and ../workflows, so the repository root is the root for
// Turbopack and for output file tracing (Next requires the two to match).
const webDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(webDir, '..');
const specifierLoader = path.join(webDir, 'build', 'ts-esm-specifiers.cjs');

const nextConfig: NextConfig = {
  turbopack: {
    root: repoRoot,
    // Our sources import `./x.js` for `x.ts` (Node ESM style); see build/ts-esm-specifiers.cjs.
    rules: {
      '*.ts': { loaders: [specifierLoader], condition: { not: 'foreign' } },
      '*.tsx': { loaders: [specifierLoader], condition: { not: 'foreign' } },
    },
  },
  outputFileTracingRoot: repoRoot,
  // Native modules and the Temporal SDK (gRPC, protobuf, the workflow sandbox helpers) load from
  // node_modules at runtime instead of being bundled.
  serverExternalPackages: [
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    '@temporalio/workflow',
    '@grpc/grpc-js',
    'better-sqlite3',
    'pino',
  ],
  // `npm test` and `npm run typecheck` run tsc over the whole repository; don't type-check twice.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    // With a proxy (web/proxy.ts), Next copies each request body for it before any route runs, up
    // to this many bytes (default 10 MiB), and passes the first that many on. 1 MiB + 256 KiB: a
    // body over the routes' 1 MiB limit (core/web-guard.ts MAX_BODY_BYTES) still reaches readJson
    // with more than 1 MiB (socket chunks are at most 64 KiB), so it answers 413, and a 100 MB body
    // costs the server about this much memory instead of 10 MiB.
    proxyClientMaxBodySize: 1024 * 1024 + 256 * 1024,
  },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
