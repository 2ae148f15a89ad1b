/**
 * The console's access token: 32 random bytes (base64url) in `$RATCHET_HOME/auth-token`, mode 0600,
 * written once by the first start (the supervisor, or the console itself when it needs one first).
 * To rotate it, delete the file and restart. Used by scripts/supervisor.ts and web/proxy.ts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const TOKEN_FILE = 'auth-token';

export const tokenPath = (home: string) => path.join(home, TOKEN_FILE);

/** Reads the token, creating the file (exclusively, 0600) when it does not exist yet. */
export function ensureAuthToken(home: string): string {
  const file = tokenPath(home);
  const existing = readAuthToken(home);
  if (existing) return existing;
  fs.mkdirSync(home, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${token}\n`);
    } finally {
      fs.closeSync(fd);
    }
    return token;
  } catch (err) {
    // Another process (the supervisor, a second console) wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = readAuthToken(home);
      if (theirs) return theirs;
    }
    throw err;
  }
}

/** The token, or null when the file is missing or empty. Tightens a too-open mode to 0600. */
export function readAuthToken(home: string): string | null {
  const file = tokenPath(home);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const token = text.trim();
  return token === '' ? null : token;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison (over digests, so the lengths leak nothing either). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(expected), digest(given));
}
