/**
 * read_file, write_file and edit_file: every access goes through `openInside`. `worktree` is the
 * worktree's realpath, resolved once by the toolbox.
 */
import type { z } from 'zod';
import { openInside } from './paths.js';
import type { editFileArgs, readFileArgs, writeFileArgs } from './schemas.js';

export interface ToolResult {
  ok: boolean;
  output: string;
}

const DEFAULT_LINE_LIMIT = 2000;
const MAX_LINE_CHARS = 2000;
/** Files larger than this are not read whole; the model should page with grep or run_command. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

const fail = (output: string): ToolResult => ({ ok: false, output });

/**
 * Fit `text` into `capBytes`: keep the head and the tail, with a marker in the middle saying how
 * much was cut (`alreadyDropped` counts bytes a streaming caller discarded before this point).
 */
export function capText(text: string, capBytes: number, alreadyDropped = 0): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= capBytes && alreadyDropped === 0) return text;
  const markerReserve = 64;
  const half = Math.max(0, Math.floor((capBytes - markerReserve) / 2));
  const omitted = buf.length - 2 * half + alreadyDropped;
  const head = buf
    .subarray(0, half)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const tail = buf
    .subarray(buf.length - half)
    .toString('utf8')
    .replace(/^\uFFFD/, '');
  return `${head}\n[... ${omitted} bytes omitted ...]\n${tail}`;
}

function looksBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8192).includes(0);
}

async function readWhole(worktree: string, p: string, mode: 'read' | 'readwrite') {
  const opened = await openInside(worktree, p, mode, { rootIsReal: true });
  if (!opened.ok) return opened;
  const { size } = opened;
  if (size > MAX_FILE_BYTES) {
    await opened.handle.close();
    return {
      ok: false as const,
      type: 'io' as const,
      message: `file ${JSON.stringify(p)} is ${size} bytes; too large to load, use grep or run_command`,
    };
  }
  try {
    const buf = await opened.handle.readFile();
    return { ...opened, buf };
  } catch (err) {
    await opened.handle.close();
    throw err;
  }
}

export async function readFileTool(
  worktree: string,
  args: z.infer<typeof readFileArgs>,
  capBytes: number,
): Promise<ToolResult> {
  const res = await readWhole(worktree, args.path, 'read');
  if (!res.ok) return fail(res.message);
  await res.handle.close();
  if (looksBinary(res.buf))
    return fail(`file ${JSON.stringify(args.path)} is binary (${res.buf.length} bytes)`);
  const text = res.buf.toString('utf8');
  if (text.length === 0) return { ok: true, output: `(file ${res.relative} is empty)` };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const start = (args.offset ?? 1) - 1;
  if (start >= lines.length)
    return fail(`offset ${args.offset} is past the end of ${res.relative} (${lines.length} lines)`);
  const limit = args.limit ?? DEFAULT_LINE_LIMIT;
  const out: string[] = [];
  let bytes = 0;
  let i = start;
  for (; i < lines.length && i < start + limit; i++) {
    let line = lines[i] ?? '';
    if (line.length > MAX_LINE_CHARS) line = `${line.slice(0, MAX_LINE_CHARS)} [... line truncated]`;
    const row = `${String(i + 1).padStart(6)}\t${line}`;
    bytes += Buffer.byteLength(row) + 1;
    if (bytes > capBytes && out.length > 0) break;
    out.push(row);
  }
  if (i < lines.length) out.push(`[... ${lines.length - i} more lines; continue with offset=${i + 1}]`);
  return { ok: true, output: out.join('\n') };
}

export async function writeFileTool(
  worktree: string,
  args: z.infer<typeof writeFileArgs>,
): Promise<ToolResult> {
  const opened = await openInside(worktree, args.path, 'write', { rootIsReal: true });
  if (!opened.ok) return fail(opened.message);
  try {
    await opened.handle.truncate(0);
    await opened.handle.write(args.content, 0, 'utf8');
  } finally {
    await opened.handle.close();
  }
  const bytes = Buffer.byteLength(args.content);
  return {
    ok: true,
    output: `${opened.created ? 'created' : 'overwrote'} ${opened.relative} (${bytes} bytes)`,
  };
}

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

export async function editFileTool(
  worktree: string,
  args: z.infer<typeof editFileArgs>,
): Promise<ToolResult> {
  if (args.old_string === args.new_string)
    return fail('old_string and new_string are identical; nothing to change');
  const res = await readWhole(worktree, args.path, 'readwrite');
  if (!res.ok) return fail(res.message);
  try {
    if (looksBinary(res.buf))
      return fail(`file ${JSON.stringify(args.path)} is binary; edit_file works on text`);
    const text = res.buf.toString('utf8');
    const count = countOccurrences(text, args.old_string);
    if (count === 0)
      return fail(`old_string not found in ${res.relative}; read the file and copy the text exactly`);
    if (count > 1 && !args.replace_all) {
      return fail(
        `old_string occurs ${count} times in ${res.relative}; include more surrounding context to make it unique, or set replace_all`,
      );
    }
    const next = args.replace_all
      ? text.split(args.old_string).join(args.new_string)
      : text.slice(0, text.indexOf(args.old_string)) +
        args.new_string +
        text.slice(text.indexOf(args.old_string) + args.old_string.length);
    await res.handle.truncate(0);
    await res.handle.write(next, 0, 'utf8');
    return {
      ok: true,
      output: `edited ${res.relative}: replaced ${args.replace_all ? count : 1} occurrence${count > 1 && args.replace_all ? 's' : ''}`,
    };
  } finally {
    await res.handle.close();
  }
}
