/**
 * Exponential backoff: the delay before the retry that follows failed attempt `attempt` (1-based):
 * base, 2×base, 4×base, … capped at max. No jitter: retries are per event, not a thundering herd.
 *
 * @example
 * retryDelayMs(3, 1000, 60_000); // 4000
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
