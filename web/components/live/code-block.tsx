'use client';

/**
 * A highlighted code block. Shiki (JavaScript regex engine, no WASM) loads on first use with only
 * the language asked for; the block shows plain text until then. Its output is a hast tree turned
 * into React elements (never an HTML string), so code text is always text.
 */
import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { jsx, jsxs } from 'react/jsx-runtime';
import { toJsxRuntime } from 'hast-util-to-jsx-runtime';
import type { HighlighterCore } from 'shiki/core';

const LANGS: Record<string, () => Promise<unknown>> = {
  typescript: () => import('shiki/langs/typescript.mjs'),
  tsx: () => import('shiki/langs/tsx.mjs'),
  javascript: () => import('shiki/langs/javascript.mjs'),
  jsx: () => import('shiki/langs/jsx.mjs'),
  json: () => import('shiki/langs/json.mjs'),
  shellscript: () => import('shiki/langs/shellscript.mjs'),
  diff: () => import('shiki/langs/diff.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  go: () => import('shiki/langs/go.mjs'),
  rust: () => import('shiki/langs/rust.mjs'),
  yaml: () => import('shiki/langs/yaml.mjs'),
  markdown: () => import('shiki/langs/markdown.mjs'),
  css: () => import('shiki/langs/css.mjs'),
  html: () => import('shiki/langs/html.mjs'),
  sql: () => import('shiki/langs/sql.mjs'),
};

const ALIASES: Record<string, string> = {
  ts: 'typescript',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  sh: 'shellscript',
  bash: 'shellscript',
  shell: 'shellscript',
  zsh: 'shellscript',
  console: 'shellscript',
  py: 'python',
  rs: 'rust',
  yml: 'yaml',
  md: 'markdown',
  patch: 'diff',
};

export function languageOf(name: string | null | undefined): string | null {
  if (!name) return null;
  const n = name.toLowerCase();
  const lang = ALIASES[n] ?? n;
  return lang in LANGS ? lang : null;
}

let highlighter: Promise<HighlighterCore> | null = null;
const loaded = new Map<string, Promise<void>>();

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= (async () => {
    const [{ createHighlighterCore }, { createJavaScriptRegexEngine }] = await Promise.all([
      import('shiki/core'),
      import('shiki/engine/javascript'),
    ]);
    return createHighlighterCore({
      themes: [import('shiki/themes/github-light.mjs')],
      langs: [],
      engine: createJavaScriptRegexEngine(),
    });
  })();
  return highlighter;
}

async function highlight(code: string, lang: string): Promise<ReactNode> {
  const hl = await getHighlighter();
  let load = loaded.get(lang);
  if (!load) {
    load = LANGS[lang]!().then((m) =>
      hl.loadLanguage((m as { default: Parameters<HighlighterCore['loadLanguage']>[0] }).default),
    );
    loaded.set(lang, load);
  }
  await load;
  const hast = hl.codeToHast(code, { lang, theme: 'github-light' });
  return toJsxRuntime(hast, { Fragment, jsx, jsxs });
}

export function CodeBlock({ code, lang }: { code: string; lang?: string | null }) {
  const language = languageOf(lang);
  const [html, setHtml] = useState<{ key: string; node: ReactNode } | null>(null);
  const key = `${language}:${code}`;
  useEffect(() => {
    if (!language) return;
    let live = true;
    highlight(code, language).then(
      (node) => live && setHtml({ key, node }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [code, language, key]);
  if (html && html.key === key)
    return (
      <div className="code-block highlighted" data-lang={language ?? undefined}>
        {html.node}
      </div>
    );
  return (
    <pre className="code-block" data-lang={language ?? undefined}>
      <code>{code}</code>
    </pre>
  );
}
