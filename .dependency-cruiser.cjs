// @ts-check
/* global module */
// The layering of README's Architecture section, checked on every import by dependency-cruiser
// (`npm run boundaries`, part of `npm test`). There is no baseline of tolerated violations: any
// violation fails the run.

const outside = (...dirs) => `^(${dirs.join('|')})/`;
const notTest = '\\.test\\.tsx?$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'core/ is pure domain logic, safe in the workflow sandbox: it imports only core/ and pure packages.',
      severity: 'error',
      from: { path: '^core/', pathNot: notTest },
      to: {
        path: outside(
          'activities',
          'workflows',
          'prompts',
          'web',
          'worker',
          'db',
          'scripts',
          'bench',
          'tests',
        ),
      },
    },
    {
      name: 'sandbox-no-node',
      comment:
        'core/, workflows/ and prompts/ are bundled into the Temporal workflow sandbox: no Node built-ins.',
      severity: 'error',
      from: { path: '^(core|workflows|prompts)/', pathNot: notTest },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'sandbox-no-io-packages',
      comment: 'No I/O packages in the workflow sandbox.',
      severity: 'error',
      from: { path: '^(core|workflows|prompts)/', pathNot: notTest },
      to: {
        path: 'node_modules/(better-sqlite3|drizzle-orm|@octokit|openai|@anthropic-ai|pino|@temporalio/(activity|client|worker))/',
      },
    },
    {
      name: 'workflows-call-activities-by-type-only',
      comment: 'workflows/ reach activities only through proxyActivities: type-only imports.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-layer',
      comment: 'workflows/ import core/, prompts/ and workflows/ (and activity types).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: outside('web', 'worker', 'db', 'scripts', 'bench', 'tests') },
    },
    {
      name: 'prompts-layer',
      comment: 'prompts/ are rendered in the sandbox: only core/ and prompts/.',
      severity: 'error',
      from: { path: '^prompts/', pathNot: notTest },
      to: { path: outside('activities', 'workflows', 'web', 'worker', 'db', 'scripts', 'bench', 'tests') },
    },
    {
      name: 'activities-do-not-import-workflows',
      comment:
        'Arrows run down: an activity imports only core/, db/, prompts/ and activities/ (shared handles belong in core/contracts/).',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: outside('workflows', 'web', 'worker', 'scripts', 'bench', 'tests') },
    },
    // Activities by outside system (workflows/ARCHITECTURE.md, "Activities by outside system"): a
    // module imports its own system's files only. The systems: GitHub (activities/github/),
    // SQLite (activities/store/), Temporal (activities/temporal.ts), the notification webhook
    // (activities/notify.ts), and local processes (activities/process.ts with git.ts, setup.ts and
    // the agent runners in activities/agents/, which all spawn through it). activities/poll-cycle.ts
    // is the one composition of three systems; nothing else in activities/ imports it.
    {
      name: 'activities-github-self-contained',
      comment: 'activities/github/ holds every GitHub call and imports no other activity module.',
      severity: 'error',
      from: { path: '^activities/github/' },
      to: { path: '^activities/', pathNot: '^activities/github/' },
    },
    {
      name: 'activities-store-self-contained',
      comment:
        'activities/store/ is the one SQLite writer; it reaches Temporal only through an injected function.',
      severity: 'error',
      from: { path: '^activities/store/' },
      to: { path: '^activities/', pathNot: '^activities/store/' },
    },
    {
      name: 'activities-single-module-systems',
      comment: 'temporal.ts (Temporal) and notify.ts (the webhook) import no other activity module.',
      severity: 'error',
      from: { path: '^activities/(temporal|notify)\\.ts$' },
      to: { path: '^activities/' },
    },
    {
      name: 'activities-local-processes',
      comment:
        'Git, setup scripts and agent runners spawn through activities/process.ts; they speak no GitHub, SQLite-store or Temporal module.',
      severity: 'error',
      from: { path: '^activities/(agents/|git\\.ts$|setup\\.ts$|process\\.ts$)' },
      to: { path: '^activities/(github/|store/|temporal\\.ts$|notify\\.ts$|poll-cycle\\.ts$)' },
    },
    {
      name: 'octokit-only-in-github',
      comment: 'Only activities/github/ imports Octokit (the console and worker use its client module).',
      severity: 'error',
      from: { pathNot: '^activities/github/' },
      to: { path: 'node_modules/@octokit/' },
    },
    {
      name: 'temporal-client-only-in-temporal-module',
      comment:
        'Among activities, only activities/temporal.ts uses a Temporal client (signals, signal-with-start, workflow starts).',
      severity: 'error',
      from: { path: '^activities/', pathNot: '^activities/temporal\\.ts$' },
      to: { path: 'node_modules/@temporalio/client/' },
    },
    {
      name: 'db-layer',
      comment: 'db/ holds the schema, migrations and queries; it imports only core/ and db/.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: outside('activities', 'workflows', 'web', 'worker', 'scripts', 'bench', 'tests') },
    },
    {
      name: 'sql-only-in-db',
      comment: 'SQLite is reached through db/ only.',
      severity: 'error',
      from: { path: '^(core|workflows|prompts|activities|web|worker)/' },
      to: { path: 'node_modules/(better-sqlite3|drizzle-orm)/' },
    },
    {
      name: 'web-layer',
      comment:
        'The console talks to Temporal through the client and to SQLite through db/; never to activities, the worker or workflow internals.',
      severity: 'error',
      from: { path: '^web/' },
      // Except the one GitHub client (Octokit with its retry, throttling and ETag setup): the
      // Health probe calls `GET /user` through it rather than a second, differently-behaved client.
      to: {
        path: outside('activities', 'worker', 'scripts', 'bench', 'tests'),
        pathNot: '^activities/github/client\\.ts$',
      },
    },
    {
      name: 'web-no-workflow-internals',
      comment: 'The console may import the workflow contracts (messages, ids), not workflow code.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^workflows/', pathNot: '^workflows/(messages|ratchet-messages|ids|contracts)\\.ts$' },
    },
    {
      name: 'worker-layer',
      comment:
        'The worker process wires activities and workflows; it does not reach into the console or the suites.',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: outside('web', 'bench', 'tests') },
    },
    {
      name: 'product-does-not-import-tests',
      comment: 'The product (and its scripts) never imports from tests/.',
      severity: 'error',
      from: { path: '^(core|workflows|prompts|activities|db|web|worker|scripts)/' },
      to: { path: '^tests/' },
    },
    {
      name: 'bench-uses-test-support-only',
      comment:
        'Benchmarks reuse the loopback fakes and harnesses of tests/support/ (one fake GitHub, one fake model API, one console harness), never a suite or its private helpers.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^tests/', pathNot: '^tests/support/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not followed but must not be excluded: an excluded package drops every
    // import of it from the graph, and the package rules (sql-only-in-db, sandbox-no-io-packages,
    // octokit-only-in-github, temporal-client-only-in-temporal-module) would then never fire.
    exclude: { path: '(^|/)(\\.next|\\.work)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
