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
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
