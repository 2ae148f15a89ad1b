/**
 * What a child process inherits: ONE secret rule and one named profile per kind of child. Every
 * spawn site of the worker and the console builds its environment here. Pure: the parent
 * environment is a record the caller passes (captured once at start-up by worker/env.ts or
 * web/lib/env.ts); nothing here reads `process.env`.
 *
 * | profile       | starts from                         | never passes (from the parent)                 |
 * |---------------|-------------------------------------|------------------------------------------------|
 * | `git`         | the user's environment              | secrets except GITHUB_TOKEN/GH_TOKEN, model    |
 * |               |                                     | families, RATCHET_*, NODE_OPTIONS              |
 * | `console`     | as `git`                            | as `git`, and the GitHub tokens too            |
 * | `agent`       | an allowlist (`AGENT_ENV_ALLOWLIST`) | everything not allowlisted, and any secret     |
 * | `claude-code` | `agent` + the CLI's own switches    | as `agent`                                     |
 * | `acp`         | `agent` + the agent's `passEnv`     | as `agent` (only the names the agent declares) |
 * | `script`      | `agent` + RATCHET_WORKTREE (+ PORT) | as `agent`                                     |
 * | `mcp`         | `agent` + the server's named vars   | as `agent` (only the names the server declares)|
 * | `terminal`    | a strict allowlist                  | everything else                                |
 * | `probe`       | PATH and HOME                       | everything else                                |
 *
 * core/child-env.test.ts lists, for each profile, which variables pass and which never do.
 */

/** An environment record as read from a process (values may be missing). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A child's environment: every value a string, ready for `spawn`. */
export type ChildEnv = Record<string, string>;

/** The one rule for names whose values are credentials (child environments, redaction, health). */
export const SECRET_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|COOKIE|SESSION_?KEY|(?:^|_)KEY(?:_|$))/i;

/** True for names whose values are credentials. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Model-provider families: configuration for the worker's own model clients, never a child's. */
const MODEL_FAMILY = /^(ANTHROPIC_|OPENAI_)/;

/** Ratchet's own configuration (the console token, the test kill switches, its addresses). */
const RATCHET_OWN = /^RATCHET_/;

/** Variables that inject code into every Node process a child starts. */
const CODE_INJECTION = new Set(['NODE_OPTIONS']);

/** The GitHub tokens: git's `gh` credential helper needs them; nothing else does. */
const GITHUB_TOKENS = new Set(['GITHUB_TOKEN', 'GH_TOKEN']);

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The user's environment minus what no Ratchet child may inherit; `keep` names exceptions to the secret rule. */
function userEnvMinusSecrets(parent: Env, keep: ReadonlySet<string>): ChildEnv {
  const env: ChildEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (MODEL_FAMILY.test(name) || RATCHET_OWN.test(name) || CODE_INJECTION.has(name)) continue;
    if (isSecretName(name) && !keep.has(name)) continue;
    env[name] = value;
  }
  return env;
}

/**
 * `git` (the worker's git activities): the user's environment, so the user's git configuration,
 * SSH agent (`SSH_AUTH_SOCK`) and credential helpers work, minus model keys, Ratchet's own
 * variables, NODE_OPTIONS and every secret except the GitHub token, which pushing through the
 * `gh` credential helper needs. Never prompts.
 */
export function gitEnv(parent: Env): ChildEnv {
  return { ...userEnvMinusSecrets(parent, GITHUB_TOKENS), GIT_TERMINAL_PROMPT: '0' };
}

/**
 * `console` (git and gh run by the console: clone, show, diff): as `git`, without the GitHub
 * tokens (the console's GitHub calls take the token from its configuration, not from a child).
 */
export function consoleEnv(parent: Env): ChildEnv {
  return { ...userEnvMinusSecrets(parent, new Set()), GIT_TERMINAL_PROMPT: '0' };
}

/** Names an agent's commands inherit from the parent, when set and not secret-looking. */
export const AGENT_ENV_ALLOWLIST: ReadonlySet<string> = new Set([
  // Identity, shell and locale.
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'COLORTERM',
  'TMPDIR',
  'TMP',
  'TEMP',
  'EDITOR',
  'VISUAL',
  'CI',
  // Proxies (dropped when the URL embeds a password, see below).
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  // Git identity for commits the agent makes (merges in conflict fixes).
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  // TLS trust stores (paths, not keys).
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  // Tool and toolchain homes, so builds and tests find their caches.
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'NVM_DIR',
  'NVM_BIN',
  'VOLTA_HOME',
  'PNPM_HOME',
  'BUN_INSTALL',
  'COREPACK_HOME',
  'DENO_DIR',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'GOPATH',
  'GOROOT',
  'GOCACHE',
  'GOMODCACHE',
  'GOFLAGS',
  'JAVA_HOME',
  'GRADLE_USER_HOME',
  'MAVEN_OPTS',
  'PYENV_ROOT',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'PIPX_HOME',
  'ASDF_DIR',
  'ASDF_DATA_DIR',
  'MISE_DATA_DIR',
  'HOMEBREW_PREFIX',
  'HOMEBREW_CELLAR',
  'HOMEBREW_REPOSITORY',
]);

/** Prefixes passed through (subject to the secret rule). */
const AGENT_ENV_PREFIXES = ['LC_'];

/** Families that configure access to outside services; refused as extras whatever the suffix. */
const PROVIDER_PREFIXES = [
  'ANTHROPIC_',
  'OPENAI_',
  'CLAUDE_',
  'AWS_',
  'AZURE_',
  'GOOGLE_',
  'GCP_',
  'GITHUB_',
  'GH_',
  'NPM_',
  'DOCKER_',
];

/** Names that must never be passed as extras (they would hand out credentials indirectly). */
const FORBIDDEN_EXTRAS = new Set([
  'SSH_AUTH_SOCK',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_CONFIG_PARAMETERS',
  ...CODE_INJECTION,
]);

/** Defaults that keep commands non-interactive; extras may override them. */
const NON_INTERACTIVE: Readonly<ChildEnv> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  PAGER: 'cat',
  NO_COLOR: '1',
};

/** Thrown when a caller tries to pass a secret-looking variable into an agent environment. */
export class SecretEnvError extends Error {
  readonly type = 'SecretEnv';
  constructor(readonly variable: string) {
    super(`refusing to pass ${variable} into an agent environment: it looks like a credential`);
    this.name = 'SecretEnvError';
  }
}

function proxyHasPassword(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value);
}

/**
 * `agent` (the commands an agent runs, the model-driven CLIs' base): an allowlist of `parent`,
 * plus `extra` (explicit additions such as `RATCHET_WORKSPACE_ID`). An extra that looks like a
 * credential, belongs to a provider family (`ANTHROPIC_*`, `OPENAI_*`, `AWS_*`, `GITHUB_*`, …) or
 * would hand out access indirectly (`SSH_AUTH_SOCK`, `NODE_OPTIONS`, …) throws `SecretEnvError`
 * rather than being silently dropped.
 */
export function agentEnv(parent: Env, extra: Env = {}): ChildEnv {
  const env: ChildEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    const allowed = AGENT_ENV_ALLOWLIST.has(name) || AGENT_ENV_PREFIXES.some((p) => name.startsWith(p));
    if (!allowed || isSecretName(name)) continue;
    if (/proxy$/i.test(name) && name.toLowerCase() !== 'no_proxy' && proxyHasPassword(value)) continue;
    env[name] = value;
  }
  Object.assign(env, NON_INTERACTIVE);
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    if (isSecretName(name) || FORBIDDEN_EXTRAS.has(name)) throw new SecretEnvError(name);
    if (PROVIDER_PREFIXES.some((p) => name.toUpperCase().startsWith(p))) throw new SecretEnvError(name);
    env[name] = value;
  }
  if (!env.PATH) env.PATH = DEFAULT_PATH;
  return env;
}

/**
 * The Claude Code CLI's own configuration variables (names from its documentation). None holds a
 * credential; cloud credentials for Bedrock/Vertex come from the user's profile files
 * (`AWS_PROFILE`, gcloud), not from variables the CLI's shells would inherit.
 */
export const CLAUDE_CODE_SWITCHES: readonly string[] = [
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
  'DISABLE_TELEMETRY',
  'DISABLE_ERROR_REPORTING',
  'DISABLE_AUTOUPDATER',
  'DISABLE_BUG_COMMAND',
  'DISABLE_COST_WARNINGS',
  'DISABLE_NON_ESSENTIAL_MODEL_CALLS',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_SKIP_BEDROCK_AUTH',
  'CLAUDE_CODE_SKIP_VERTEX_AUTH',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_SMALL_FAST_MODEL',
  'ANTHROPIC_DEFAULT_OPUS_MODEL',
  'ANTHROPIC_DEFAULT_SONNET_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'ANTHROPIC_BEDROCK_BASE_URL',
  'ANTHROPIC_VERTEX_BASE_URL',
  'ANTHROPIC_VERTEX_PROJECT_ID',
  'CLOUD_ML_REGION',
  'AWS_REGION',
  'AWS_PROFILE',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_MAX_OUTPUT_TOKENS',
  'MAX_THINKING_TOKENS',
  'API_TIMEOUT_MS',
  'BASH_DEFAULT_TIMEOUT_MS',
  'BASH_MAX_TIMEOUT_MS',
];

/** Prefixed Claude Code switches (`VERTEX_REGION_CLAUDE_3_5_SONNET`, …). */
const CLAUDE_CODE_SWITCH_PREFIXES = ['VERTEX_REGION_'];

/**
 * `claude-code` (the Claude Code CLI): `agent` plus the CLI's switches (`CLAUDE_CODE_SWITCHES`)
 * set in `parent`. The API key is not among them: the CLI reads it from a pipe.
 */
export function claudeCodeEnv(parent: Env, extra: Env = {}): ChildEnv {
  const env = agentEnv(parent, extra);
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || value === '') continue;
    if (CLAUDE_CODE_SWITCHES.includes(name) || CLAUDE_CODE_SWITCH_PREFIXES.some((p) => name.startsWith(p)))
      env[name] = value;
  }
  return env;
}

/** Copies the variables `names` that are set in `parent` (the caller declared each one). */
function named(parent: Env, names: readonly string[]): ChildEnv {
  const env: ChildEnv = {};
  for (const name of names) {
    const v = parent[name];
    if (v !== undefined && v !== '') env[name] = v;
  }
  return env;
}

/**
 * `acp` (an ACP agent: claude-agent-acp, codex-acp, gemini): `agent` plus the variables the agent's
 * configuration names in `passEnv` (its own documented switches such as `CODEX_HOME`, and the key
 * it needs); nothing else.
 */
export function acpAgentEnv(parent: Env, passEnv: readonly string[]): ChildEnv {
  return { ...agentEnv(parent), ...named(parent, passEnv) };
}

/**
 * `script` (a project's setup and run scripts: the project's own code): `agent` plus where the
 * worktree is and, for a run script, the port it should listen on.
 */
export function scriptEnv(parent: Env, opts: { worktree: string; port?: number }): ChildEnv {
  return {
    ...agentEnv(parent),
    RATCHET_WORKTREE: opts.worktree,
    ...(opts.port !== undefined ? { PORT: String(opts.port) } : {}),
  };
}

/**
 * `mcp` (a stdio MCP server): `agent` plus only the variables the server's configuration names,
 * with the values already resolved (core/mcp.ts `resolveMcpServers`).
 */
export function mcpServerEnv(parent: Env, serverEnv: Readonly<ChildEnv>): ChildEnv {
  return { ...agentEnv(parent), ...serverEnv };
}

/**
 * The only variables the workspace terminal's shell inherits, when set: where programs are, who
 * and where the user is, the locale and time zone. Everything else (RATCHET_*, model keys,
 * GITHUB_TOKEN/GH_TOKEN, TEMPORAL_*, NODE_OPTIONS …) stays out.
 */
export const TERMINAL_ENV_ALLOWLIST = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TZ'] as const;

/** `LC_*` locale variables pass too (there are a dozen of them). */
const LOCALE = /^LC_[A-Z]+$/;

/**
 * `terminal` (the workspace terminal's shell): the allowlisted variables from `parent`,
 * `TERM=xterm-256color`, `COLORTERM=truecolor`, `SHELL` (the shell being started) and `PWD` (the
 * worktree). `LANG` defaults to `C.UTF-8` so a console started without a locale still shows UTF-8.
 */
export function terminalEnv(parent: Env, { shell, cwd }: { shell: string; cwd: string }): ChildEnv {
  return { ...userBaseEnv(parent), TERM: 'xterm-256color', COLORTERM: 'truecolor', SHELL: shell, PWD: cwd };
}

/**
 * `run` (a workspace's run script, the project's dev server started from the console): the
 * terminal's allowlist, `PWD` (the worktree) and `PORT` when the project configures a port.
 */
export function runScriptEnv(parent: Env, { cwd, port }: { cwd: string; port: number | null }): ChildEnv {
  return { ...userBaseEnv(parent), PWD: cwd, ...(port !== null ? { PORT: String(port) } : {}) };
}

/** The allowlisted user variables, `LC_*`, and `LANG`/`PATH` defaults: the terminal's and run script's base. */
function userBaseEnv(parent: Env): ChildEnv {
  const env: ChildEnv = {};
  for (const name of TERMINAL_ENV_ALLOWLIST) {
    const v = parent[name];
    if (v !== undefined && v !== '') env[name] = v;
  }
  for (const [name, v] of Object.entries(parent)) if (LOCALE.test(name) && v) env[name] = v;
  env.LANG ??= 'C.UTF-8';
  env.PATH ??= DEFAULT_PATH;
  return env;
}

/** `probe` (`<cli> --version` from the console's health checks): PATH and HOME only. */
export function probeEnv(parent: Env): ChildEnv {
  return { PATH: parent.PATH ?? '', HOME: parent.HOME ?? '' };
}
