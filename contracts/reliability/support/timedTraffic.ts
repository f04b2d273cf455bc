// Traffic for the infrastructure-fault scenarios, timed from outside: signed deliveries sent by a
// few concurrent loops, and a /healthz prober, each answer recorded with its status, error code
// and latency, until the scenario says stop. Both are bounded by a count and by the caller's stop.
import { request } from 'node:http';
import { generateEvents } from '@webhook-contracts/mock-sender';
import { signedHeaders } from '@webhook-contracts/webhooks';
import { newAgent } from './httpClient.js';
import { nowSeconds } from './signing.js';

export interface Answer {
  /** The webhook-id sent (deliveries), or '' (health probes). */
  id: string;
  /** HTTP status, or 0 when no answer came (connection error or the client's own timeout). */
  status: number;
  /** `error.code` of the body, if it has one. */
  code: string | null;
  /** ms since the scenario's start (performance.now()) when the request was sent. */
  sentAt: number;
  /** ms from sending to the whole answer. */
  ms: number;
  /** The client's error when there was no answer. */
  failure?: string;
}

interface Sent {
  status: number;
  body: string;
}

function send(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
  agent: ReturnType<typeof newAgent> | false,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    // The client's own limit, well past every bound asserted: a missing answer is recorded, not awaited.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function errorCode(body: string): string | null {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

async function timed(id: string, started: number, attempt: () => Promise<Sent>): Promise<Answer> {
  const sentAt = performance.now();
  try {
    const { status, body } = await attempt();
    return { id, status, code: errorCode(body), sentAt: sentAt - started, ms: performance.now() - sentAt };
  } catch (error) {
    return {
      id,
      status: 0,
      code: null,
      sentAt: sentAt - started,
      ms: performance.now() - sentAt,
      failure: (error as Error).message,
    };
  }
}

export interface DeliveryOptions {
  url: string;
  secret: string;
  /** Prefix of the webhook-ids sent; each delivery gets a fresh one. */
  idPrefix: string;
  /** Loops sending one delivery after another (each keeps one keep-alive connection). */
  concurrency: number;
  /** Most deliveries sent in all. */
  maxDeliveries: number;
  /** Checked before each delivery: true ends that loop. */
  stop: () => boolean;
  /** performance.now() of the scenario's start, which `sentAt` counts from. */
  started: number;
  /** The client's own limit per request (default 30 s). */
  timeoutMs?: number;
}

/** Traffic under way: its answers so far (appended as they come) and its end. */
export interface Traffic {
  answers: Answer[];
  done: Promise<void>;
}

/** Sends signed generated events until `stop()` or `maxDeliveries`. */
export function deliverUntil(options: DeliveryOptions): Traffic {
  const events = generateEvents({ seed: options.idPrefix, count: options.maxDeliveries });
  const agent = newAgent(options.concurrency);
  const answers: Answer[] = [];
  let sent = 0;
  const loop = async () => {
    while (!options.stop() && sent < options.maxDeliveries) {
      const next = events.next();
      if (next.done === true) return;
      const id = `${options.idPrefix}_${sent++}`;
      const body = Buffer.from(JSON.stringify(next.value));
      const headers = signedHeaders({ secret: options.secret, id, timestamp: nowSeconds(), body });
      answers.push(
        await timed(id, options.started, () =>
          send(
            `${options.url}/webhooks`,
            'POST',
            { ...headers, 'content-type': 'application/json' },
            body,
            options.timeoutMs ?? 30_000,
            agent,
          ),
        ),
      );
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, loop)).then(
    () => agent.destroy(),
    (error: unknown) => {
      agent.destroy();
      throw error;
    },
  );
  return { answers, done };
}

/**
 * GETs /healthz on a fresh connection every `intervalMs` (the next one waits for the previous
 * answer) until `stop()`.
 */
export function probeHealthUntil(
  url: string,
  stop: () => boolean,
  started: number,
  intervalMs = 200,
  timeoutMs = 30_000,
): Traffic {
  const answers: Answer[] = [];
  const done = (async () => {
    while (!stop()) {
      answers.push(
        await timed('', started, () => send(`${url}/healthz`, 'GET', {}, undefined, timeoutMs, false)),
      );
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return { answers, done };
}

/** `{ "200": n, "503 store_unavailable": m, … }`: how many answers of each status and code. */
export function countByStatus(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const key = a.status === 0 ? 'no answer' : a.code === null ? String(a.status) : `${a.status} ${a.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The largest latency in ms, rounded (0 for none). */
export function maxMs(answers: readonly Answer[]): number {
  return Math.round(answers.reduce((max, a) => Math.max(max, a.ms), 0));
}

/** A fault scenario's traffic: delivery loops and a /healthz prober, timed from one start. */
export interface ScenarioTraffic {
  /** Milliseconds since the traffic started. */
  at(): number;
  deliveries: Traffic;
  health: Traffic;
  /** Ends both without waiting (for a failure path); `stop()` also waits for them. */
  halt(): void;
  stop(): Promise<void>;
}

/**
 * Starts `concurrency` delivery loops and a /healthz prober against `url`, both running until
 * stopped: the shape of every infrastructure-fault scenario (break something, watch, restore).
 */
export function startScenarioTraffic(
  options: Omit<DeliveryOptions, 'stop' | 'started' | 'concurrency'> & { concurrency?: number },
): ScenarioTraffic {
  const started = performance.now();
  let stopping = false;
  const stopped = () => stopping;
  const deliveries = deliverUntil({ concurrency: 8, ...options, stop: stopped, started });
  const health = probeHealthUntil(options.url, stopped, started);
  return {
    at: () => performance.now() - started,
    deliveries,
    health,
    halt: () => {
      stopping = true;
    },
    stop: async () => {
      stopping = true;
      await Promise.all([deliveries.done, health.done]);
    },
  };
}
