// The answers of `mock-sender serve` the page reads (examples, deliveries, runs and their results),
// as the page uses them; the client that fetches them is App's.
export interface ExampleInfo {
  name: string;
  event: string;
  kind: 'valid' | 'invalid' | 'unknown';
  description: string;
}

export interface Attempt {
  status: number | 'timeout' | 'connection_error';
  latencyMs: number;
  at: string;
  delayMs?: number;
  reason?: string;
}

export interface Delivery {
  id: string;
  type: string;
  to: string;
  delivered: boolean;
  status: number | string;
  attempts: Attempt[];
}

export interface SendSummary {
  to: string;
  sent: number;
  events: number;
  delivered: number;
  failed: number;
  attempts: number;
  byStatus: Record<string, number>;
  /** Delivered events by the 2xx answer's `status` field (`none` when it said nothing). */
  answers: Record<string, number>;
  /** Deliveries by event type. */
  byType: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  notSent: number;
  durationMs: number;
}

export interface CheckResult {
  case: string;
  expected: 'accept' | 'reject';
  got: number | string;
  verdict: 'pass' | 'fail' | 'inconclusive';
  reason?: string;
}

export interface CheckReport {
  to: string;
  passed: boolean;
  results: CheckResult[];
  diagnosis?: string;
  /** The events the target answered 2xx, once each: what the check left in its store. */
  stored: { webhook_id: string; type: string }[];
}

export interface Run {
  id: string;
  kind: 'send' | 'check';
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | 'error';
  started_at: string;
  finished_at?: string;
  progress: { done: number; delivered: number; failed: number };
  result?: unknown;
  error?: { code: string; message: string };
}
