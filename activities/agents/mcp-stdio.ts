/**
 * The MCP client's stdio transport for servers the built-in tool loop starts, spawned like every
 * other long child of an activity: under the parent-death watchdog (`process-guard.mjs`), as the
 * leader of its own process group. When the worker dies, SIGKILL included, the guard kills the
 * server and everything it started within moments; the SDK's own `StdioClientTransport` spawns a
 * plain child that outlives a killed worker whenever it has work pending (a tool call in flight,
 * a child of its own), since only its stdin closes.
 *
 * The wire format is the SDK's (`ReadBuffer` / `serializeMessage`: one JSON-RPC message a line).
 */
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { spawnWatched, type GroupRecord, type WatchedProcess } from '../process.js';

export interface WatchedStdioParams {
  command: string;
  args: readonly string[];
  cwd: string;
  /** The server's whole environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Each chunk the server writes to stderr. */
  onStderr?: (chunk: string) => void;
  /** Called once the server's process group exists. */
  onSpawn?: (group: GroupRecord) => void;
  /** Time the server gets to exit after its stdin closes before its group is killed. @default 2000 */
  closeGraceMs?: number;
}

export class WatchedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private proc: WatchedProcess | null = null;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly params: WatchedStdioParams) {}

  /** The server's process group, once started (its leader is the guard). */
  get group(): GroupRecord | null {
    return this.proc?.group ?? null;
  }

  async start(): Promise<void> {
    if (this.proc) throw new Error('WatchedStdioTransport already started');
    const p = this.params;
    const proc = spawnWatched(p.command, p.args, { cwd: p.cwd, env: p.env, onSpawn: p.onSpawn });
    this.proc = proc;
    proc.child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
        for (;;) {
          const message = this.buffer.readMessage();
          if (message === null) break;
          this.onmessage?.(message);
        }
      } catch (err) {
        this.onerror?.(err as Error);
      }
    });
    proc.child.stderr.setEncoding('utf8').on('data', (c: string) => p.onStderr?.(c));
    void proc.exited.then(() => {
      if (this.proc === proc) this.proc = null;
      this.onclose?.();
    });
    await new Promise<void>((resolve, reject) => {
      proc.child.once('spawn', resolve);
      proc.child.once('error', (err) => {
        this.onerror?.(err);
        reject(err);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.proc?.child.stdin;
    if (!stdin || stdin.destroyed) return Promise.reject(new Error('Not connected'));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Closes the server's stdin (the polite stop), then kills its whole group after the grace. */
  async close(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    this.buffer.clear();
    if (!proc) return;
    proc.child.stdin.end();
    const grace = new Promise<void>((r) => setTimeout(r, this.params.closeGraceMs ?? 2000).unref());
    await Promise.race([proc.exited, grace]);
    // The guard mirrors the server's exit and the group goes with it; a server that ignored the
    // closed stdin, or left children, is killed here.
    proc.kill();
    await proc.exited;
  }
}
