/**
 * A small, dependency-free glob matcher for the agent's list_files and grep tools. Node 20's
 * `path.matchesGlob` is experimental and prints an ExperimentalWarning into the worker's stderr on
 * first use, so we compile globs to regular expressions ourselves.
 *
 * Supported: `*` (within a segment), `**` (any number of segments), `?`, `[abc]`/`[!a-z]`,
 * `{a,b}` (nestable). A pattern without `/` matches a file's base name at any depth, the way
 * `rg --glob` and `.gitignore` treat it, so `*.ts` finds every TypeScript file.
 */

const REGEX_SPECIAL = new Set(['.', '+', '^', '$', '(', ')', '|', '\\', '/', '{', '}', '[', ']', '*', '?']);

function escapeChar(c: string): string {
  return REGEX_SPECIAL.has(c) ? `\\${c}` : c;
}

/** Compile a glob into an anchored RegExp over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob.charAt(i + 1) === '*') {
        const atSegStart = i === 0 || glob.charAt(i - 1) === '/';
        let j = i + 2;
        while (glob.charAt(j) === '*') j++;
        const atSegEnd = j === glob.length || glob.charAt(j) === '/';
        if (atSegStart && atSegEnd) {
          if (glob.charAt(j) === '/') {
            out += '(?:[^/]+/)*';
            i = j; // consume the slash too: `**/x` also matches `x`
          } else {
            out += '.*';
            i = j - 1;
          }
          continue;
        }
        out += '[^/]*';
        i = j - 1;
        continue;
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += negate ? `[^/${body}]` : `[${body}]`;
      i = close;
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      out += escapeChar(glob.charAt(i));
    } else {
      out += escapeChar(c);
    }
  }
  if (braceDepth > 0) throw new Error(`glob ${JSON.stringify(glob)} has an unclosed "{"`);
  return new RegExp(`^${out}$`);
}

/** A compiled matcher for `/`-separated paths relative to the search root. */
export function compileGlob(glob: string): (relPath: string) => boolean {
  const trimmed = glob.replace(/^\.\//, '');
  const re = globToRegExp(trimmed);
  if (trimmed.includes('/')) return (rel) => re.test(rel);
  return (rel) => re.test(rel.slice(rel.lastIndexOf('/') + 1));
}
