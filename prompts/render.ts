/**
 * `renderPrompt(name, vars)`: fills a template's `{{placeholders}}` in one pass. Every declared
 * variable must be given and nothing else; values are inserted verbatim (a value containing
 * `{{x}}` stays literal). Untrusted variables are fenced by `untrustedBlock`.
 */
import { ASK_HUMAN_MARKER, TEMPLATES, type PromptName, type PromptTemplate } from './templates.js';

export {
  ASK_HUMAN_MARKER,
  PROMPT_NAMES,
  TEMPLATES,
  type PromptName,
  type PromptTemplate,
} from './templates.js';

/** Thrown when a template name or its variables are wrong; `variable` names the offender. */
export class PromptTemplateError extends Error {
  readonly type = 'PromptTemplate';
  constructor(
    message: string,
    readonly template: string,
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'PromptTemplateError';
  }
}

const PLACEHOLDER = /\{\{([a-z_][a-z0-9_]*)\}\}/g;

/**
 * Third-party data as a fenced JSON block. `<`, `>` and `&` are written as JSON unicode escapes,
 * so nothing inside can close the block (or open another tag), and the JSON still decodes to the
 * exact original text.
 */
export function untrustedBlock(tag: string, value: unknown): string {
  if (!/^untrusted_[a-z_]+$/.test(tag)) throw new Error(`invalid untrusted tag ${JSON.stringify(tag)}`);
  const json = (JSON.stringify(value ?? null, null, 2) ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<${tag}>\n${json}\n</${tag}>`;
}

// ESC (\u001b) and BEL (\u0007) are the point: this strips ANSI colour/OSC sequences from CI logs.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/**
 * Shrink a CI log for a prompt: strip ANSI colour codes and keep the last `maxChars` characters,
 * cut at a line boundary (failures are reported at the end).
 */
export function trimLog(log: string, maxChars = 8000): string {
  const clean = log.replace(ANSI, '').replace(/\r\n?/g, '\n');
  if (clean.length <= maxChars) return clean;
  const tail = clean.slice(clean.length - maxChars);
  const firstBreak = tail.indexOf('\n');
  const cut = firstBreak >= 0 && firstBreak < 200 ? tail.slice(firstBreak + 1) : tail;
  return `[... ${clean.length - cut.length} earlier characters trimmed]\n${cut}`;
}

/** The variables a template needs: trusted ones (strings) and untrusted ones (any JSON value). */
export function promptVariables(name: PromptName): {
  trusted: readonly string[];
  untrusted: readonly string[];
} {
  const t: PromptTemplate = TEMPLATES[name];
  return { trusted: t.vars, untrusted: Object.keys(t.untrusted) };
}

function isPromptName(name: string): name is PromptName {
  return Object.prototype.hasOwnProperty.call(TEMPLATES, name);
}

/**
 * Render template `name`. Throws `PromptTemplateError` for an unknown template, a missing
 * variable, an extra variable, or a trusted variable that is not a string.
 */
export function renderPrompt(
  name: PromptName | (string & {}),
  vars: Readonly<Record<string, unknown>>,
): string {
  if (!isPromptName(name))
    throw new PromptTemplateError(`unknown prompt template ${JSON.stringify(name)}`, name);
  const t: PromptTemplate = TEMPLATES[name];
  const declared = new Set([...t.vars, ...Object.keys(t.untrusted)]);
  for (const key of Object.keys(vars)) {
    if (!declared.has(key))
      throw new PromptTemplateError(`prompt "${name}": unexpected variable "${key}"`, name, key);
  }
  const values = new Map<string, string>();
  for (const key of t.vars) {
    const v = vars[key];
    if (v === undefined)
      throw new PromptTemplateError(`prompt "${name}": missing variable "${key}"`, name, key);
    if (typeof v !== 'string')
      throw new PromptTemplateError(`prompt "${name}": variable "${key}" must be a string`, name, key);
    values.set(key, v);
  }
  for (const [key, tag] of Object.entries(t.untrusted)) {
    if (!(key in vars) || vars[key] === undefined)
      throw new PromptTemplateError(`prompt "${name}": missing variable "${key}"`, name, key);
    values.set(key, untrustedBlock(tag, vars[key]));
  }
  return t.text.replace(PLACEHOLDER, (whole, key: string) => {
    const v = values.get(key);
    if (v === undefined)
      throw new PromptTemplateError(
        `prompt "${name}": template uses undeclared variable "${key}"`,
        name,
        key,
      );
    return v;
  });
}

/**
 * The question an agent asked with `RATCHET_ASK_HUMAN: <question>` on a line of its own (the
 * last such line wins), or null. A marker quoted mid-line does not count.
 */
export function parseAskHuman(reply: string): string | null {
  let question: string | null = null;
  for (const line of reply.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith(ASK_HUMAN_MARKER)) {
      const q = trimmed.slice(ASK_HUMAN_MARKER.length).trim();
      if (q) question = q;
    }
  }
  return question;
}
