/** Text of a transcript row: a string, `{ text }`, or pretty JSON for anything else. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content && typeof content === 'object' && 'text' in content && typeof content.text === 'string')
    return content.text;
  return JSON.stringify(content, null, 2);
}
