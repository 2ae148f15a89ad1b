// A fake `claude` CLI (Claude Code) for tests. It reads the script named by FAKE_CLAUDE_SCRIPT, a
// JSON file `{ "runs": [ { "steps": [...] } ] }`; each invocation plays the next run (the counter
// lives in `<script>.state`). Steps: `{ "emit": <object> }` prints one stream-json line,
// `{ "write": { "path", "content" } }` / `{ "append": { "path", "line" } }` edit the cwd (standing in
// for the CLI's own tools), `{ "sleepMs": n }`, `{ "truncate": "<partial line>" }` prints a line with
// no newline, `{ "exit": code }` stops there. With no steps left it exits 0. Every invocation is
// logged to FAKE_CLAUDE_LOG as a JSON line; an invocation past the end of the script exits 70 and
// logs `exhausted`, so a runner that spawns the CLI more often than a test expects cannot pass.
import fs from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const scriptFile = process.env.FAKE_CLAUDE_SCRIPT;
const logFile = process.env.FAKE_CLAUDE_LOG;

function log(entry) {
  if (logFile) fs.appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
}

async function readStdin() {
  if (process.stdin.isTTY) return '';
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function write(text) {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--version') {
    process.stdout.write('2.0.0 (Claude Code, fake)\n');
    return 0;
  }
  if (!scriptFile) {
    process.stderr.write('fake claude: FAKE_CLAUDE_SCRIPT is not set\n');
    return 64;
  }
  const stdin = await readStdin();
  const script = JSON.parse(fs.readFileSync(scriptFile, 'utf8'));
  const stateFile = `${scriptFile}.state`;
  const index = fs.existsSync(stateFile) ? Number(fs.readFileSync(stateFile, 'utf8')) : 0;
  fs.writeFileSync(stateFile, String(index + 1));
  const envKeys = Object.keys(process.env).sort();
  const run = script.runs[index];
  log({ index, argv, stdin, cwd: process.cwd(), envKeys, exhausted: run === undefined });
  if (run === undefined) {
    process.stderr.write(
      `fake claude: script exhausted (invocation #${index + 1}, ${script.runs.length} scripted)\n`,
    );
    return 70;
  }
  for (const step of run.steps) {
    if ('emit' in step) await write(`${JSON.stringify(step.emit)}\n`);
    else if ('write' in step) {
      const file = path.join(process.cwd(), step.write.path);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, step.write.content);
    } else if ('append' in step) {
      fs.appendFileSync(path.join(process.cwd(), step.append.path), `${step.append.line}\n`);
    } else if ('sleepMs' in step) await new Promise((r) => setTimeout(r, step.sleepMs));
    else if ('truncate' in step) await write(step.truncate);
    else if ('exit' in step) return step.exit;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`fake claude: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
