// Starts the BUILT programs (apps/receiver/dist/main.js, apps/mock-sender/dist/cli.js) as child
// processes, the way an operator runs them, so kills and restarts are real.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireBuilt as requireBuiltPrograms } from '../../test/support/builtPrograms.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const receiverMain = `${root}apps/receiver/dist/main.js`;
export const senderCli = `${root}apps/mock-sender/dist/cli.js`;

/** Fails with what to do when a program has not been built, or its build is older than its sources. */
export function requireBuilt(file: string): void {
  requireBuiltPrograms([file]);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ReceiverProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** The last log lines (stdout and stderr), for failure messages. */
  log(): string;
}

export interface ReceiverProcessOptions {
  secret: string;
  apiToken: string;
  /** `sqlite:/abs/file` (kept across restarts). */
  databaseUrl: string;
  /** 0 = any free port; pass the previous port to restart on the same address. */
  port?: number;
  env?: Record<string, string>;
}

function keepTail(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 200) lines.shift();
}

/** Spawns the receiver and resolves once it logs that it listens (with the port it got). */
export function startReceiverProcess(options: ReceiverProcessOptions): Promise<ReceiverProcess> {
  requireBuilt(receiverMain);
  const child = spawn(process.execPath, [receiverMain], {
    env: {
      PATH: process.env['PATH'] ?? '',
      WEBHOOK_SECRET: options.secret,
      RECEIVER_API_TOKEN: options.apiToken,
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  createInterface({ input: child.stderr! }).on('line', (line) => keepTail(tail, `stderr: ${line}`));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    let started = false;
    // LOG_LEVEL must let the info line through: it is how the port is learnt.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the receiver did not log "listening" within 30 s:\n${tail.join('\n')}`));
    }, 30_000);
    lines.on('line', (line) => {
      keepTail(tail, line);
      if (started) return;
      let entry: { msg?: unknown; port?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (typeof entry.msg === 'string' && entry.msg.startsWith('webhook receiver listening')) {
        started = true;
        clearTimeout(timer);
        const port = Number(entry.port);
        resolve({
          child,
          pid: child.pid!,
          port,
          url: `http://127.0.0.1:${port}`,
          exited,
          log: () => tail.join('\n'),
        });
      }
    });
    void exited.then((exit) => {
      if (!started) {
        clearTimeout(timer);
        reject(
          new Error(
            `the receiver exited (code ${exit.code}, signal ${exit.signal}) before listening:\n${tail.join('\n')}`,
          ),
        );
      }
    });
  });
}

/** Resident set size of a live process in KiB, from /proc/<pid>/status (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]);
}

export interface SenderRun {
  child: ChildProcess;
  exited: Promise<Exit & { stdout: string; stderr: string }>;
}

/** Runs `mock-sender <args>` with the secret in its environment; collects stdout and stderr. */
export function runSender(args: readonly string[], secret: string): SenderRun {
  requireBuilt(senderCli);
  const child = spawn(process.execPath, [senderCli, ...args], {
    env: { PATH: process.env['PATH'] ?? '', WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-20_000);
  });
  const exited = new Promise<Exit & { stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

/** Polls `check` until it returns something other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not reached within ${timeoutMs} ms${last === undefined ? '' : ` (${String(last)})`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
