/**
 * Trims a GitHub Actions job log to what a fixer needs: the failing steps. Actions logs are
 * timestamped lines; each step opens with `##[group]Run <command>` (its inputs follow until
 * `##[endgroup]`, then its output), and failures print `##[error]<message>`. We split at step
 * headers, keep the sections that contain an error, drop timestamps, and cap each section by
 * keeping its header plus the tail (errors come last). Pure: no I/O.
 */

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
const STEP_HEADER = /^##\[group\]Run /;

export interface TrimmedLog {
  text: string;
  /** True when anything was cut (steps dropped or a section shortened). */
  truncated: boolean;
  /** Headers (`Run …`) of the sections kept. */
  steps: string[];
}

/** @param maxBytes cap on the returned text (UTF-8 bytes, approximately). @default 20000 */
export function trimJobLog(log: string, maxBytes = 20_000): TrimmedLog {
  const lines = log
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.replace(TIMESTAMP, ''));
  const sections: { header: string; lines: string[] }[] = [{ header: '', lines: [] }];
  for (const line of lines) {
    if (STEP_HEADER.test(line)) sections.push({ header: line.replace('##[group]', ''), lines: [line] });
    else sections[sections.length - 1]?.lines.push(line);
  }
  const failing = sections.filter((s) => s.lines.some((l) => l.includes('##[error]')));
  // No error marker at all (e.g. the runner was killed): the end of the log is the best evidence.
  const kept = failing.length > 0 ? failing : [{ header: '(end of log)', lines }];
  const budget = Math.max(512, Math.floor(maxBytes / kept.length));
  let truncated = kept.length !== sections.length;
  const parts = kept.map((s) => {
    const text = s.lines.join('\n').trimEnd();
    if (Buffer.byteLength(text) <= budget) return text;
    truncated = true;
    const head = s.lines[0] ?? '';
    const tail = tailBytes(text, budget - Buffer.byteLength(head) - 32);
    return `${head}\n… (${s.lines.length} lines, trimmed) …\n${tail}`;
  });
  return { text: parts.join('\n\n'), truncated, steps: kept.map((s) => s.header) };
}

function tailBytes(text: string, bytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= bytes) return text;
  const cut = buf.subarray(buf.length - Math.max(0, bytes)).toString('utf8');
  // Start at a line boundary so the first line is not half a line.
  const nl = cut.indexOf('\n');
  return nl >= 0 && nl < cut.length - 1 ? cut.slice(nl + 1) : cut;
}
