'use client';

/**
 * Untrusted Markdown (model, PR and issue text): GitHub-flavoured, raw HTML dropped (react-markdown
 * never turns it into elements without rehype-raw), the tree passed through rehype-sanitize's
 * GitHub schema (no script, no event handlers, no `javascript:` links), fenced code highlighted.
 */
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './code-block.js';

interface HastNode {
  type: string;
  value?: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

const textOf = (n: HastNode): string =>
  n.type === 'text' ? (n.value ?? '') : (n.children ?? []).map(textOf).join('');

const components: Components = {
  pre({ node }) {
    const code = (node as HastNode | undefined)?.children?.find((c) => c.tagName === 'code');
    const classes = code?.properties?.className;
    const lang = Array.isArray(classes)
      ? (classes
          .map(String)
          .find((c) => c.startsWith('language-'))
          ?.slice('language-'.length) ?? null)
      : null;
    return <CodeBlock code={code ? textOf(code).replace(/\n$/, '') : ''} lang={lang} />;
  },
  a({ href, children }) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    );
  },
  img({ alt }) {
    // Model text must not make the browser fetch anything: images show as their alt text.
    return <span className="img-alt">[image{alt ? `: ${alt}` : ''}]</span>;
  },
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeSanitize]}
        components={components}
        skipHtml
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
