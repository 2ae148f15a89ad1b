import { describe, expect, it } from 'vitest';
import {
  boardQueryToSearch,
  cardMatches,
  parseBoardQuery,
  prNumberOf,
  type FilterableCard,
} from './board-query.js';

const parse = (qs: string) => parseBoardQuery(new URLSearchParams(qs));

describe('parseBoardQuery', () => {
  it('parseBoardQuery gives the defaults for an empty query and treats empty values as absent', () => {
    for (const qs of ['', 'q=&project=&column=']) {
      const r = parse(qs);
      expect(r.success && r.data).toEqual({ view: 'board', needsMe: false, limit: 25 });
    }
  });

  const refused: Array<[string, string]> = [
    ['column=doing', 'column'],
    ['view=trash', 'view'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=yesterday', 'cursor'],
    ['needsMe=yes', 'needsMe'],
    ['project=a%20b', 'project'],
    [`q=${'x'.repeat(201)}`, 'q'],
    ['sort=new', ''],
    ['column=done&column=working', 'column'],
  ];
  it.each(refused)('parseBoardQuery refuses %s, naming the field', (qs, field) => {
    const r = parse(qs);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    if (field) expect(paths).toContain(field);
    else expect(r.error!.issues[0]!.code).toBe('unrecognized_keys');
  });

  it('boardQueryToSearch round-trips through parseBoardQuery', () => {
    const qs =
      'view=archived&project=prj_1&column=done&needsMe=1&q=fix+auth&cursor=1700000000000.ws_abc&limit=50';
    const r = parse(qs);
    expect(r.success).toBe(true);
    const again = parse(boardQueryToSearch(r.data!).slice(1));
    expect(again.data).toEqual(r.data);
    expect(boardQueryToSearch(parse('').data!)).toBe('');
  });
});

describe('prNumberOf', () => {
  it.each([
    ['42', 42],
    ['#42', 42],
    [' #7 ', 7],
    ['4a', null],
    ['#', null],
    ['', null],
  ] as const)('prNumberOf(%j) is %j', (q, n) => expect(prNumberOf(q)).toBe(n));
});

describe('cardMatches', () => {
  const card: FilterableCard = {
    projectId: 'p1',
    column: 'working',
    title: 'Fix Auth Flow',
    branch: 'ratchet/auth-42',
    prNumber: 17,
    unread: 0,
  };
  const q = (qs: string) => parse(qs).data!;
  it.each([
    ['', true],
    ['view=archived', false],
    ['project=p1', true],
    ['project=p2', false],
    ['column=working', true],
    ['column=done', false],
    ['needsMe=1', false],
    ['q=auth', true],
    ['q=AUTH-42', true],
    ['q=%2317', true],
    ['q=17', true],
    ['q=18', false],
    ['q=nothing', false],
  ] as const)('cardMatches with %j is %j', (qs, want) => expect(cardMatches(card, q(qs))).toBe(want));

  it('cardMatches: needs-me accepts Waiting cards and cards with unread notifications', () => {
    expect(cardMatches({ ...card, column: 'waiting' }, q('needsMe=1'))).toBe(true);
    expect(cardMatches({ ...card, unread: 1 }, q('needsMe=1'))).toBe(true);
  });

  it('cardMatches: archived cards appear only in the archive', () => {
    expect(cardMatches({ ...card, column: 'archived' }, q(''))).toBe(false);
    expect(cardMatches({ ...card, column: 'archived' }, q('view=archived'))).toBe(true);
  });
});
