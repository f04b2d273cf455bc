// Starts a program as a child process and knows it is up by one rule: the program prints a line
// matching `readyWhen` (by default the "listening on http://host:port" line both apps print), on
// stdout or stderr. Reading the address from that line leaves no race for a free port.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProgramOptions {
  /** Variables added to the environment. */
  env?: Record<string, string>;
  /** Start from an environment holding only PATH (and `env`) instead of this process's. */
  cleanEnv?: boolean;
  /** The line that says the program is up; its first group, if any, becomes `url`. */
  readyWhen?: RegExp;
  /** How long the program may take to print that line. Default 30 s. */
  timeoutMs?: number;
  /** The executable. Default: this Node.js, with `args` starting with the script. */
  command?: string;
}

export interface RunningProgram {
  child: ChildProcess;
  pid: number;
  /** The first group of the ready line (the base URL for the default rule), or '' without one. */
  url: string;
  /** What the program wrote to stdout, to stderr, and both interleaved (the last 4 MiB of each). */
  stdout(): string;
  stderr(): string;
  output(): string;
  exited: Promise<Exit>;
  /** SIGTERM (a graceful stop), then resolves once the program has exited. */
  stop(): Promise<Exit>;
  /** SIGKILL (a crash: nothing runs on the way out), then resolves once the program has exited. */
  kill(): Promise<Exit>;
}

const listeningLine = /listening on (http:\/\/[0-9.]+:\d+)/;

const keptChars = 4 * 1024 * 1024;

/**
 * Spawns `node <args>` and resolves once it prints its ready line; rejects with everything it
 * wrote when it exits first or stays silent past the deadline (and then kills it).
 *
 * @example
 * const receiver = await startProgram([receiverMain], { env: { WEBHOOK_SECRET: secret, PORT: '0' } });
 * await fetch(`${receiver.url}/healthz`);
 * await receiver.stop();
 */
export async function startProgram(
  args: readonly string[],
  options: StartProgramOptions = {},
): Promise<RunningProgram> {
  const { readyWhen = listeningLine, timeoutMs = 30_000 } = options;
  const base = options.cleanEnv === true ? { PATH: process.env['PATH'] ?? '' } : process.env;
  const child = spawn(options.command ?? process.execPath, args, {
    env: { ...base, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const program: RunningProgram = {
    child,
    pid: child.pid ?? -1,
    url: '',
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    exited,
    stop: () => signal(child, 'SIGTERM', exited),
    kill: () => signal(child, 'SIGKILL', exited),
  };
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${describe(args)} did not print ${readyWhen} within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let found = false;
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (stream === 'stdout') stdout = (stdout + text).slice(-keptChars);
      else stderr = (stderr + text).slice(-keptChars);
      output = (output + text).slice(-keptChars);
      const match = found ? null : readyWhen.exec(output);
      if (match !== null) {
        found = true;
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      const how = exit.signal === null ? `with code ${exit.code}` : `on ${exit.signal}`;
      reject(new Error(`${describe(args)} exited ${how} before it was ready:\n${output}`));
    });
  });
  program.url = await ready;
  return program;
}

async function signal(child: ChildProcess, name: NodeJS.Signals, exited: Promise<Exit>): Promise<Exit> {
  if (child.exitCode === null && child.signalCode === null) child.kill(name);
  return exited;
}

function describe(args: readonly string[]): string {
  return (
    args
      .find((a) => !a.startsWith('-'))
      ?.split('/')
      .slice(-3)
      .join('/') ?? 'the program'
  );
}
