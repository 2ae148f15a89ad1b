/**
 * Process configuration: one zod schema over the environment plus an optional JSON config file.
 * Empty strings count as missing; a bad value fails start-up with every offending name listed.
 * `loadConfig` is the one loader the worker, the console and the scripts use; it is pure: callers
 * pass the env record, the home directory and a file reader (worker/env.ts and web/lib/env.ts are
 * the two adapters). Nothing below them reads `process.env`.
 */
import { z } from 'zod';
import { acpAgentsSchema } from './acp.js';
import { killPointSchema } from './kill-point.js';

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());
const withDefault = <T extends z.ZodTypeAny>(schema: T, value: z.output<T>) =>
  z.preprocess(emptyAsUndefined, schema.default(value as never));
const port = z.coerce.number().int().min(1).max(65535);
const url = z.string().url();

/** Every environment variable Ratchet reads. README's configuration table mirrors this. */
export const envSchema = z.object({
  RATCHET_HOME: opt(z.string()),
  RATCHET_CONFIG: opt(z.string()),
  /** @default 127.0.0.1 */
  RATCHET_HOST: opt(z.string()),
  /** @default 3000 */
  RATCHET_PORT: opt(port),
  /** `token` requires the console token even on loopback; `off` is refused off loopback. */
  RATCHET_AUTH: opt(z.enum(['token', 'off'])),
  /** Extra Host names the console answers to (comma-separated, `name` or `name:port`). */
  RATCHET_ALLOWED_HOSTS: opt(z.string()),
  /** @default ratchet */
  RATCHET_TASK_QUEUE: opt(z.string().regex(/^[\w.-]+$/)),
  RATCHET_WORKTREES_DIR: opt(z.string()),
  RATCHET_PROJECTS_DIR: opt(z.string()),
  RATCHET_LOG_LEVEL: withDefault(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']), 'info'),
  TEMPORAL_ADDRESS: opt(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')),
  /** @default default */
  TEMPORAL_NAMESPACE: opt(z.string().min(1)),
  /**
   * Address of a Temporal web UI (`http://host:port`) the console links workflows to; unset: no
   * links. `npm start` sets it for the children when it runs the local dev server's UI.
   */
  RATCHET_TEMPORAL_UI_URL: opt(url.refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')),
  /** Port of the local dev server `npm start` runs when TEMPORAL_ADDRESS is unset. */
  RATCHET_TEMPORAL_PORT: withDefault(port, 7233),
  RATCHET_TEMPORAL_UI_PORT: withDefault(port, 8233),
  /** `1` runs the local dev server's web UI (off by default: it has no Host check or login). */
  RATCHET_TEMPORAL_UI: opt(z.enum(['1', '0', 'true', 'false'])),
  /** Path to a `temporal` CLI binary; else PATH, else the provisioned cache. */
  RATCHET_TEMPORAL_BIN: opt(z.string()),
  RATCHET_TEMPORAL_TEST_SERVER: opt(z.string()),
  RATCHET_CACHE_DIR: opt(z.string()),
  ANTHROPIC_API_KEY: opt(z.string()),
  ANTHROPIC_BASE_URL: opt(url),
  OPENAI_API_KEY: opt(z.string()),
  OPENAI_BASE_URL: opt(url),
  GITHUB_TOKEN: opt(z.string()),
  GH_TOKEN: opt(z.string()),
  GITHUB_API_URL: opt(url),
  /** Shared secret of the GitHub webhook (`/api/github/webhook`); unset disables the endpoint. */
  GITHUB_WEBHOOK_SECRET: opt(z.string().min(16)),
  /** Seconds between GitHub polls per repository (the ratchet loop). @default 60 */
  RATCHET_POLL_INTERVAL_S: withDefault(z.coerce.number().int().min(1).max(3600), 60),
  /**
   * Test only (the kill matrix, `npm run soak`): the worker SIGKILLs itself at the start or the end
   * of its Nth activity (`<n>:<start|end>`, see `core/kill-point.ts`). Unset in normal use.
   */
  RATCHET_TEST_KILL_AT: opt(killPointSchema),
  /**
   * Test only (the durability suite): `1` makes the script runner honour `killWorkerAfterApply`
   * steps (the worker SIGKILLs itself right after applying one). Unset in normal use.
   */
  RATCHET_TEST_KILL_POINTS: opt(z.enum(['0', '1'])),
});
export type Env = z.infer<typeof envSchema>;

/** The optional config file (`$RATCHET_HOME/config.json` or RATCHET_CONFIG); env wins over it. */
export const fileConfigSchema = z
  .object({
    port: port.optional(),
    host: z.string().optional(),
    temporalAddress: z.string().optional(),
    temporalNamespace: z.string().optional(),
    /** Run the local Temporal dev server's web UI (see RATCHET_TEMPORAL_UI). @default false */
    temporalUi: z.boolean().optional(),
    worktreesDir: z.string().optional(),
    /** Where the console clones projects added by URL. @default `$RATCHET_HOME/projects` */
    projectsDir: z.string().optional(),
    taskQueue: z.string().optional(),
    /** Agent providers: fallback and price overrides (USD per million tokens). */
    agents: z
      .object({
        /** Runner that takes over after `fallbackAfterAttempts` failed attempts of another one. */
        fallbackRunner: z.enum(['anthropic', 'openai', 'claude-code', 'acp']).optional(),
        /** @default 3 */
        fallbackAfterAttempts: z.number().int().min(1).max(20).optional(),
        /** Label for the OpenAI-compatible endpoint (`openai`, `ollama`, `vllm`, `openrouter`). */
        openaiProvider: z.string().min(1).optional(),
        defaultModels: z.record(z.string(), z.string()).optional(),
        /** ACP agents by name (command line, passed variables, mode ids); a name here overrides a preset. */
        acp: acpAgentsSchema.optional(),
        /** ACP agent used when a workspace names none. @default 'claude' */
        defaultAcpAgent: z.string().min(1).optional(),
        prices: z
          .record(
            z.string(),
            z.object({
              inputPerMTok: z.number().min(0),
              outputPerMTok: z.number().min(0),
              cacheReadPerMTok: z.number().min(0),
              cacheWritePerMTok: z.number().min(0),
            }),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type FileConfig = z.infer<typeof fileConfigSchema>;

export interface RatchetConfig {
  home: string;
  dbFile: string;
  worktreesDir: string;
  /** Where the console clones projects added by URL. */
  projectsDir: string;
  host: string;
  port: number;
  taskQueue: string;
  logLevel: Env['RATCHET_LOG_LEVEL'];
  temporal: {
    address: string | null;
    namespace: string;
    localPort: number;
    uiPort: number;
    ui: boolean;
    bin: string | null;
  };
  cacheDir: string;
  agents: NonNullable<FileConfig['agents']>;
  env: Env;
}

/** Thrown when configuration is invalid; the message names every bad field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function formatZodIssues(error: z.ZodError, source: string): string {
  return error.issues
    .map((i) => `${source}${i.path.length ? ` ${i.path.join('.')}` : ''}: ${i.message}`)
    .join('\n');
}

export function parseEnv(raw: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid environment:\n${formatZodIssues(parsed.error, 'env')}`);
  return parsed.data;
}

export function parseFileConfig(raw: unknown, file: string): FileConfig {
  const parsed = fileConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`Invalid config file ${file}:\n${formatZodIssues(parsed.error, 'config')}`);
  return parsed.data;
}

export function resolveConfig(env: Env, file: FileConfig, homeDir: string): RatchetConfig {
  const home = env.RATCHET_HOME ?? `${homeDir}/.ratchet`;
  return {
    home,
    dbFile: `${home}/ratchet.db`,
    worktreesDir: env.RATCHET_WORKTREES_DIR ?? file.worktreesDir ?? `${home}/worktrees`,
    projectsDir: env.RATCHET_PROJECTS_DIR ?? file.projectsDir ?? `${home}/projects`,
    host: env.RATCHET_HOST ?? file.host ?? '127.0.0.1',
    port: env.RATCHET_PORT ?? file.port ?? 3000,
    taskQueue: env.RATCHET_TASK_QUEUE ?? file.taskQueue ?? 'ratchet',
    logLevel: env.RATCHET_LOG_LEVEL,
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? file.temporalAddress ?? null,
      namespace: env.TEMPORAL_NAMESPACE ?? file.temporalNamespace ?? 'default',
      localPort: env.RATCHET_TEMPORAL_PORT,
      uiPort: env.RATCHET_TEMPORAL_UI_PORT,
      ui:
        env.RATCHET_TEMPORAL_UI !== undefined
          ? ['1', 'true'].includes(env.RATCHET_TEMPORAL_UI)
          : (file.temporalUi ?? false),
      bin: env.RATCHET_TEMPORAL_BIN ?? null,
    },
    cacheDir: env.RATCHET_CACHE_DIR ?? `${homeDir}/.cache/ratchet`,
    agents: file.agents ?? {},
    env,
  };
}

/** Where `loadConfig` reads from. */
export interface ConfigSources {
  env: Record<string, string | undefined>;
  homeDir: string;
  /** The file's text, or null when it does not exist. */
  readFile: (file: string) => string | null;
}

/**
 * The whole configuration: the environment, then the config file (`RATCHET_CONFIG`, else
 * `$RATCHET_HOME/config.json` when present). Throws `ConfigError` naming the variable, the file and
 * the field at fault.
 */
export function loadConfig({ env: rawEnv, homeDir, readFile }: ConfigSources): RatchetConfig {
  const env = parseEnv(rawEnv);
  const home = env.RATCHET_HOME ?? `${homeDir}/.ratchet`;
  const file = env.RATCHET_CONFIG ?? `${home}/config.json`;
  const text = readFile(file);
  let fileConfig: FileConfig = {};
  if (text !== null) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    fileConfig = parseFileConfig(raw, file);
  } else if (env.RATCHET_CONFIG !== undefined) {
    throw new ConfigError(`RATCHET_CONFIG points at ${file}, which does not exist`);
  }
  return resolveConfig(env, fileConfig, homeDir);
}
