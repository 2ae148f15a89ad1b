/**
 * Settings edited from the console, stored in db `settings` as key → JSON value, one zod schema per
 * key. The console writes only values that pass; readers parse again, so a hand-edited row is
 * reported as invalid instead of leaking into a workspace. Pure: no I/O.
 */
import { z } from 'zod';
import { AGENT_MODES, MAX_TURNS, RUNNERS, agentConfigSchema, type AgentConfig } from './agent.js';
import { TEXT_LIMITS, singleLineText } from './text.js';

/** The keys the console edits. `budget.dailyUsd` is also read by the agent activity before every model call. */
export const SETTING_KEYS = [
  'agent.defaults',
  'budget.workspaceDefaultUsd',
  'budget.dailyUsd',
  'notify.webhookUrl',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** Highest budget the console accepts, in USD; the same ceiling as raising a workspace's budget. */
export const MAX_BUDGET_USD = 100_000;

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
/** Free-text names (provider label, model id): blank means "the runner's default"; one line. */
const optionalName = (max: number) => z.preprocess(emptyAsUndefined, singleLineText(max).optional());

/** Smallest budget the console accepts, in USD: one cent (`1e-320` is not a budget). */
export const MIN_BUDGET_USD = 0.01;

/** Dollars; a cap below a cent would stop every workspace before its first call. */
export const budgetUsdSchema = z
  .number({ error: 'must be a number of US dollars, or null for no cap' })
  .min(MIN_BUDGET_USD, `must be at least ${MIN_BUDGET_USD} (one cent)`)
  .max(MAX_BUDGET_USD, `must be at most ${MAX_BUDGET_USD}`);

/**
 * An object that refuses unknown keys by name (an issue at the key's own path), where `.strict()`
 * reports them on the parent: a typo like `budget.daily` is named, not silently dropped.
 */
function closedObject<S extends z.ZodRawShape>(shape: S, unknownKey: string) {
  const known = Object.keys(shape);
  return z
    .object(shape)
    .catchall(z.unknown().refine(() => false, { error: unknownKey }))
    .transform(
      (value) =>
        Object.fromEntries(known.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as z.output<
          z.ZodObject<S>
        >,
    );
}

/** What a new workspace runs with when its request leaves a field out. */
export const agentDefaultsSchema = closedObject(
  {
    runner: z.enum(RUNNERS),
    /** Provider label (e.g. `anthropic`, `openai`, `ollama`); belongs to `runner`. */
    provider: optionalName(100),
    /** Model id; belongs to `runner`. */
    model: optionalName(200),
    /** @default agent */
    mode: z.enum(AGENT_MODES).default('agent'),
    /** @default 40 */
    maxTurns: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(MAX_TURNS.min, `must be at least ${MAX_TURNS.min}`)
      .max(MAX_TURNS.max, `must be at most ${MAX_TURNS.max}`)
      .default(MAX_TURNS.default),
  },
  'is not an agent default; use runner, provider, model, mode, maxTurns',
);
export type AgentDefaults = z.infer<typeof agentDefaultsSchema>;

/**
 * Where every notification is also POSTed (Slack-style `text` plus structured fields): an http(s)
 * URL without credentials in it. It is a secret (a Slack incoming-webhook URL is a bearer token):
 * the worker reads it at delivery and never logs it.
 */
export const webhookUrlSchema = z
  .string({ error: 'must be an http(s) URL, or null for no webhook' })
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
      } catch {
        return false;
      }
    },
    { error: 'must be an http(s) URL without user:password' },
  );

/** The schema of each key's stored value. */
export const settingSchemas = {
  'agent.defaults': agentDefaultsSchema,
  'budget.workspaceDefaultUsd': budgetUsdSchema,
  'budget.dailyUsd': budgetUsdSchema,
  'notify.webhookUrl': webhookUrlSchema,
} as const satisfies Record<SettingKey, z.ZodType>;

/** Every console setting; null = not set (built-in defaults apply, no cap). */
export type ConsoleSettings = { [K in SettingKey]: z.output<(typeof settingSchemas)[K]> | null };

export const EMPTY_SETTINGS: ConsoleSettings = {
  'agent.defaults': null,
  'budget.workspaceDefaultUsd': null,
  'budget.dailyUsd': null,
  'notify.webhookUrl': null,
};

/**
 * PATCH-style body, keyed by setting key: keys left out stay as they are, null clears a key.
 * Unknown keys are refused by name rather than dropped.
 */
export const settingsPatchSchema = closedObject(
  {
    'agent.defaults': agentDefaultsSchema.nullable().optional(),
    'budget.workspaceDefaultUsd': budgetUsdSchema.nullable().optional(),
    'budget.dailyUsd': budgetUsdSchema.nullable().optional(),
    'notify.webhookUrl': webhookUrlSchema.nullable().optional(),
  },
  `is not a setting; use ${SETTING_KEYS.join(', ')}`,
);
export type SettingsPatch = z.output<typeof settingsPatchSchema>;

const isSettingKey = (key: string): key is SettingKey => (SETTING_KEYS as readonly string[]).includes(key);

/** Validates a settings change; throws a ZodError whose issue paths name the bad setting and field. */
export function parseSettingsPatch(raw: unknown): SettingsPatch {
  return settingsPatchSchema.parse(raw);
}

/**
 * Parses stored rows into settings. Unknown keys are ignored (the console lists them raw); a known
 * key whose value fails its schema counts as unset and is named in `invalid`.
 */
export function readSettings(rows: ReadonlyArray<{ key: string; value: unknown }>): {
  values: ConsoleSettings;
  invalid: SettingKey[];
} {
  const values: Record<string, unknown> = { ...EMPTY_SETTINGS };
  const invalid: SettingKey[] = [];
  for (const row of rows) {
    if (!isSettingKey(row.key)) continue;
    const parsed = settingSchemas[row.key].safeParse(row.value);
    if (parsed.success) values[row.key] = parsed.data;
    else invalid.push(row.key);
  }
  return { values: values as ConsoleSettings, invalid };
}

const { runner, mode, maxTurns } = agentConfigSchema.shape;
/**
 * The agent fields a start request may give, with the same rules as `agentConfigSchema` but no
 * defaults: `agentConfigSchema.partial()` would fill in `runner: script` and hide that the request
 * left the runner out, so the stored defaults could never apply.
 */
export const agentRequestSchema = agentConfigSchema.extend({
  provider: singleLineText(TEXT_LIMITS.name).optional(),
  model: singleLineText(TEXT_LIMITS.name).optional(),
  runner: runner.unwrap().optional(),
  mode: mode.unwrap().optional(),
  maxTurns: maxTurns.unwrap().optional(),
});
export type AgentRequest = z.input<typeof agentRequestSchema>;

/**
 * The agent config of a new workspace: fields the request gives win, the rest come from the stored
 * defaults, then from the built-in ones. The default provider and model belong to the default
 * runner, so a request that picks another runner gets that runner's own defaults, not a model
 * name another provider would reject.
 */
export function applyAgentDefaults(
  request: AgentRequest | undefined,
  defaults: AgentDefaults | null,
): AgentConfig {
  const given = Object.fromEntries(
    Object.entries(request ?? {}).filter(([, v]) => v !== undefined),
  ) as AgentRequest;
  if (!defaults) return agentConfigSchema.parse(given);
  const sameRunner = given.runner === undefined || given.runner === defaults.runner;
  return agentConfigSchema.parse({
    runner: defaults.runner,
    mode: defaults.mode,
    maxTurns: defaults.maxTurns,
    ...(sameRunner && defaults.provider ? { provider: defaults.provider } : {}),
    ...(sameRunner && defaults.model ? { model: defaults.model } : {}),
    ...given,
  });
}
