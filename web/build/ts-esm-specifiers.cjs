/**
 * Turbopack loader for Ratchet's own TypeScript: the repo writes relative imports with the `.js`
 * suffix (what Node ESM, tsx, vitest and Temporal's bundler expect), and Turbopack in Next 16 has no
 * `extensionAlias`. This rewrites `'./x.js'` to `'./x'` when `x.ts` or `x.tsx` sits next to it, so
 * Turbopack's normal extension resolution finds the source. Real `.js` files are left untouched.

 * CommonJS because Turbopack runs webpack-style loaders through loader-runner.
 */
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');

const SPECIFIER = /(['"])(\.{1,2}\/[^'"\n]*?)\.js\1/g;

module.exports = function tsEsmSpecifiers(source) {
  const dir = path.dirname(this.resourcePath);
  return source.replace(SPECIFIER, (match, quote, base) => {
    const target = path.resolve(dir, base);
    if (fs.existsSync(`${target}.ts`) || fs.existsSync(`${target}.tsx`)) return `${quote}${base}${quote}`;
    return match;
  });
};
