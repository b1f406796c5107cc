/**
 * Markdown rendered safely (model cards are written by anyone): no raw HTML at all, URLs through react-markdown's
 * default filter (no `javascript:`), links opened without referrer or opener, images not loaded (links instead).
 */
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="text-amber-800 underline">
      {children}
    </a>
  ),
  // Remote images would tell a third party who reads the card: show the link instead.
  img: ({ src, alt }) => (
    <a
      href={typeof src === 'string' ? src : undefined}
      target="_blank"
      rel="noopener noreferrer nofollow"
      className="text-amber-800 underline"
    >
      [image: {alt || 'untitled'}]
    </a>
  ),
  h1: ({ children }) => <h3 className="mt-4 mb-2 text-xl font-semibold">{children}</h3>,
  h2: ({ children }) => <h4 className="mt-4 mb-2 text-lg font-semibold">{children}</h4>,
  h3: ({ children }) => <h5 className="mt-3 mb-1 font-semibold">{children}</h5>,
  p: ({ children }) => <p className="my-2 leading-relaxed">{children}</p>,
  ul: ({ children }) => <ul className="my-2 list-disc pl-6">{children}</ul>,
  ol: ({ children }) => <ol className="my-2 list-decimal pl-6">{children}</ol>,
  code: ({ children }) => <code className="rounded bg-stone-100 px-1 font-mono text-[0.9em]">{children}</code>,
  pre: ({ children }) => <pre className="my-2 overflow-x-auto rounded bg-stone-100 p-3">{children}</pre>,
  table: ({ children }) => (
    <div className="my-2 overflow-x-auto">
      <table className="text-sm">{children}</table>
    </div>
  ),
  th: ({ children }) => <th className="border border-stone-300 px-2 py-1 text-left">{children}</th>,
  td: ({ children }) => <td className="border border-stone-300 px-2 py-1">{children}</td>,
  blockquote: ({ children }) => (
    <blockquote className="border-l-4 border-stone-300 pl-3 text-stone-600">{children}</blockquote>
  ),
};

export function Markdown({ children }: { children: string }) {
  return (
    <div className="max-w-none text-stone-800 [overflow-wrap:anywhere]">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
