/**
 * GitHub's GraphQL resource limits, computed from the document the way GitHub documents them
 * ("Rate limits and node limits for the GraphQL API"), so the fake charges what api.github.com
 * would and refuses what it would refuse:
 *
 * - requests: one per connection (a field with `first`/`last`), multiplied by the `first`/`last`
 *   of every enclosing connection; points = max(1, round(requests / 100)). The innermost
 *   connection's own size does not count, only how many times it is asked for.
 * - nodes: the sum, over connections, of the product of `first`/`last` along the path; a query
 *   above 500,000 fails with MAX_NODE_LIMIT_EXCEEDED.
 * - a `first`/`last` above 100 fails with EXCESSIVE_PAGINATION.
 *
 * Not a GraphQL engine: enough of the grammar for our documents (operations, fragments, inline
 * fragments, aliases, arguments with variables, enums and input objects, directives).
 */

export const NODE_LIMIT = 500_000;
export const MAX_PAGE = 100;

interface Field {
  name: string;
  /** Integer page argument (`first` or `last`), resolved from variables. */
  page: number | null;
  children: Selection[];
}
type Selection =
  | { kind: 'field'; field: Field }
  | { kind: 'spread'; name: string }
  | { kind: 'inline'; children: Selection[] };

export interface QueryCost {
  /** Connection requests GitHub counts. */
  requests: number;
  /** Rate-limit points charged. */
  points: number;
  /** Nodes the query may return at most. */
  nodes: number;
  /** The first connection asking for more than 100 records, if any. */
  excessive: { field: string; page: number } | null;
  /** `first`/`last` of each connection field, by field name (first occurrence). */
  pages: Map<string, number>;
}

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re = /#[^\n]*|"(?:[^"\\]|\\.)*"|\.\.\.|[{}():!$@=[\]]|-?\d+(?:\.\d+)?|[A-Za-z_]\w*|[\s,]+|./g;
  for (const m of src.matchAll(re)) {
    const t = m[0];
    if (/^[\s,]+$/.test(t) || t.startsWith('#')) continue;
    tokens.push(t);
  }
  return tokens;
}

function parse(src: string, variables: Record<string, unknown>) {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const next = () => t[i++] ?? '';
  const expect = (tok: string) => {
    const got = next();
    if (got !== tok) throw new Error(`graphql cost: expected ${tok}, got ${got} at token ${i}`);
  };
  const skipBalanced = (open: string, close: string) => {
    expect(open);
    for (let depth = 1; depth > 0 && i < t.length;) {
      const tok = next();
      if (tok === open) depth++;
      else if (tok === close) depth--;
    }
  };
  const value = (): unknown => {
    const tok = next();
    if (tok === '$') return variables[next()];
    if (tok === '{') {
      i--;
      skipBalanced('{', '}');
      return null;
    }
    if (tok === '[') {
      i--;
      skipBalanced('[', ']');
      return null;
    }
    return /^-?\d+$/.test(tok) ? Number(tok) : tok;
  };
  const directives = () => {
    while (peek() === '@') {
      next();
      next();
      if (peek() === '(') skipBalanced('(', ')');
    }
  };
  const selectionSet = (): Selection[] => {
    expect('{');
    const out: Selection[] = [];
    while (peek() !== '}' && i < t.length) {
      if (peek() === '...') {
        next();
        if (peek() === 'on' || peek() === '{' || peek() === '@') {
          if (peek() === 'on') {
            next();
            next();
          }
          directives();
          out.push({ kind: 'inline', children: selectionSet() });
        } else {
          out.push({ kind: 'spread', name: next() });
          directives();
        }
        continue;
      }
      let name = next();
      if (peek() === ':') {
        next();
        name = next();
      }
      let page: number | null = null;
      if (peek() === '(') {
        next();
        while (peek() !== ')' && i < t.length) {
          const arg = next();
          expect(':');
          const v = value();
          if ((arg === 'first' || arg === 'last') && typeof v === 'number') page = v;
        }
        expect(')');
      }
      directives();
      const children = peek() === '{' ? selectionSet() : [];
      out.push({ kind: 'field', field: { name, page, children } });
    }
    expect('}');
    return out;
  };

  const fragments = new Map<string, Selection[]>();
  let operation: Selection[] | null = null;
  while (i < t.length) {
    const tok = peek();
    if (tok === '{') {
      operation ??= selectionSet();
    } else if (tok === 'fragment') {
      next();
      const name = next();
      expect('on');
      next();
      directives();
      fragments.set(name, selectionSet());
    } else if (tok === 'query' || tok === 'mutation' || tok === 'subscription') {
      next();
      if (peek() !== '(' && peek() !== '{' && peek() !== '@') next();
      if (peek() === '(') skipBalanced('(', ')');
      directives();
      const set = selectionSet();
      operation ??= set;
    } else {
      throw new Error(`graphql cost: unexpected ${tok}`);
    }
  }
  return { operation: operation ?? [], fragments };
}

/** GitHub's cost and node count for `query` with `variables`. */
export function queryCost(query: string, variables: Record<string, unknown> = {}): QueryCost {
  const { operation, fragments } = parse(query, variables);
  const result: QueryCost = { requests: 0, points: 1, nodes: 0, excessive: null, pages: new Map() };
  const walk = (set: Selection[], multiplier: number, seen: Set<string>) => {
    for (const s of set) {
      if (s.kind === 'inline') walk(s.children, multiplier, seen);
      else if (s.kind === 'spread') {
        const frag = fragments.get(s.name);
        if (frag && !seen.has(s.name)) walk(frag, multiplier, new Set([...seen, s.name]));
      } else if (s.field.page !== null) {
        const { name, page } = s.field;
        if (!result.pages.has(name)) result.pages.set(name, page);
        if (page > MAX_PAGE && !result.excessive) result.excessive = { field: name, page };
        result.requests += multiplier;
        result.nodes += multiplier * page;
        walk(s.field.children, multiplier * page, seen);
      } else {
        walk(s.field.children, multiplier, seen);
      }
    }
  };
  walk(operation, 1, new Set());
  result.points = Math.max(1, Math.round(result.requests / 100));
  return result;
}
