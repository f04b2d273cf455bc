// Load generation from outside: bench/loadgen.ts (autocannon) in its own process against a URL,
// signed unique-id deliveries or one replayed request, and the same split over several targets.
import { join } from 'node:path';
import { ROOT, spawnNode } from './processes.js';

export interface LoadResult {
  /** 2xx responses per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
}

/**
 * Runs the load generator process once against `url`; resolves with its result. With `rate`, the
 * connections together offer that many requests a second instead of as many as are answered.
 */
export async function runLoad(
  url: string,
  seconds: number,
  connections: number,
  sign: boolean,
  rate?: number,
): Promise<LoadResult> {
  const gen = spawnNode(join(ROOT, 'bench/loadgen.ts'), [
    '--url',
    url,
    '--connections',
    String(connections),
    '--duration',
    String(seconds),
    ...(sign ? ['--sign'] : []),
    ...(rate === undefined ? [] : ['--rate', String(Math.round(rate))]),
  ]);
  const code = await gen.exited;
  if (code !== 0) throw new Error(`bench: load generator failed (exit ${code}):\n${gen.stderr()}`);
  return JSON.parse(gen.stdout().trim()) as LoadResult;
}

/**
 * Runs one signed load generator per URL at the same time, connections split evenly; rates add up.
 * `parts` are the generators' own results, in the order of `urls`.
 */
export async function runSplitLoad(
  urls: readonly string[],
  seconds: number,
  connections: number,
): Promise<LoadResult & { parts: LoadResult[] }> {
  const share = Math.max(1, Math.floor(connections / urls.length));
  const parts = await Promise.all(urls.map((url) => runLoad(url, seconds, share, true)));
  return {
    rps: parts.reduce((sum, p) => sum + p.rps, 0),
    p50Ms: Math.max(...parts.map((p) => p.p50Ms)),
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
    ok: parts.reduce((sum, p) => sum + p.ok, 0),
    non2xx: parts.reduce((sum, p) => sum + p.non2xx, 0),
    errors: parts.reduce((sum, p) => sum + p.errors, 0),
    timeouts: parts.reduce((sum, p) => sum + p.timeouts, 0),
    seconds: Math.max(...parts.map((p) => p.seconds)),
    parts,
  };
}
