// Child-process plumbing for the benchmarks that need a server and a load generator each in their own
// process: spawn (TS files through tsx), wait until a port answers, read peak RSS, stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Progress goes to stderr so stdout stays the table. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A TCP port nobody listens on right now (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `node [--import tsx] file args` in the repository root; .ts files go through tsx. */
export function spawnNode(
  file: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Spawned {
  const loader = file.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`bench: could not start node ${file}`);
  return { child, pid: child.pid, exited, stdout: () => out, stderr: () => err };
}

/** Sends one request; resolves with the status code (rejects on a connection error). */
export function httpStatus(url: string, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Polls `url` until it answers (any status) or the deadline passes. */
export async function waitForHttp(url: string, proc: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`bench: ${url} server exited (code ${exitCode}) before answering:\n${proc.stderr()}`);
    try {
      await httpStatus(url);
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`bench: ${url} did not answer within ${timeoutMs} ms:\n${proc.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** One sample of a Prometheus counter from a server's /metrics (0 when it has none yet). */
export async function metricValue(base: string, name: string, label = ''): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(label));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The sum of every series of a Prometheus metric (all its label values) on a server's /metrics. */
export async function metricSum(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Waits until a receiver has settled (processed, or otherwise) every delivery it accepted: its
 * processor has caught up and the writer thread has committed the settlements. Polls /metrics
 * every 100 ms, so only after the load has stopped does the scrape cost anything.
 */
export async function waitSettled(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [accepted, settled] = await Promise.all([
      metricValue(base, 'webhook_deliveries_total', 'outcome="accepted"'),
      metricSum(base, 'webhook_events_settled_total'),
    ]);
    if (settled >= accepted) return;
    if (Date.now() > deadline)
      throw new Error(
        `bench: ${base} settled ${settled} of ${accepted} accepted deliveries within ${timeoutMs / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Peak resident set size (VmHWM) of a live process, in MB (Linux only). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`bench: no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** CPU time (user + system) a live process has used so far, in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

// /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 per second for user space.
export const MICROS_PER_TICK = 1_000_000 / 100;

/**
 * Waits until every process in `procs` is idle, runs `work`, waits until they are idle again (a
 * server's backlog, such as the receiver's processing, belongs to the round that caused it), and
 * returns work's result with the CPU time (user + system, all threads) each process used
 * meanwhile, in microseconds, in the order of `procs`.
 */
export async function measureCpu<T>(
  procs: readonly Spawned[],
  work: () => Promise<T>,
): Promise<{ result: T; cpuUs: number[] }> {
  await Promise.all(procs.map((proc) => waitIdle(proc)));
  const before = procs.map((proc) => cpuTicks(proc.pid));
  const result = await work();
  await Promise.all(procs.map((proc) => waitIdle(proc)));
  return { result, cpuUs: procs.map((proc, i) => (cpuTicks(proc.pid) - before[i]!) * MICROS_PER_TICK) };
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stop(proc: Spawned, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Waits until the process burns (almost) no CPU for 300 ms: its processing backlog is done. */
export async function waitIdle(proc: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = cpuTicks(proc.pid);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = cpuTicks(proc.pid);
    // 300 ms at 100 ticks/s is 30 ticks; 2 ticks is background noise (timers, the poll loop).
    if (after - before <= 2) return;
    if (Date.now() > deadline)
      throw new Error(`bench: process ${proc.pid} is still busy after ${timeoutMs / 1000} s of waiting`);
    before = after;
  }
}
