// Bounds what input can put in a log line. A field a client controls (an event type, a webhook-id,
// a header value, a message quoting input) is cut to a few hundred characters with a marker saying
// how long it was: a signed event with a 200 KB `type` must not write 200 KB of log.

/** The default bound for one field a client controls. */
export const logFieldMaxChars = 200;

/**
 * `value` as is when it has at most `maxChars` characters; otherwise its first `maxChars` and a
 * marker with the full length.
 *
 * @example
 * truncateForLog('x'.repeat(5000), 10); // 'xxxxxxxxxx…[truncated, 5000 chars]'
 */
export function truncateForLog(value: string, maxChars = logFieldMaxChars): string {
  if (value.length <= maxChars) return value;
  return `${value.slice(0, maxChars)}…[truncated, ${value.length} chars]`;
}

export interface BoundLogValueOptions {
  /** Longest string kept whole (default 2048). */
  maxChars?: number;
  /** Most array items and object keys kept (default 50). */
  maxItems?: number;
  /** Deepest nesting kept (default 6). */
  maxDepth?: number;
}

/**
 * A copy of `value` with every string truncated (truncateForLog), arrays and objects cut to
 * `maxItems` and nesting to `maxDepth`: the logger's backstop, applied to every line's fields.
 * Errors and other class instances are left to the logger's serializers; the input is never changed.
 *
 * @example
 * boundLogValue({ headers: { 'x-big': 'y'.repeat(10_000) } }, { maxChars: 100 });
 * // { headers: { 'x-big': 'yyyy…[truncated, 10000 chars]' } }
 */
export function boundLogValue(value: unknown, options: BoundLogValueOptions = {}, depth = 0): unknown {
  const maxChars = options.maxChars ?? 2048;
  const maxItems = options.maxItems ?? 50;
  const maxDepth = options.maxDepth ?? 6;
  if (typeof value === 'string') return truncateForLog(value, maxChars);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (depth >= maxDepth) return `[array of ${value.length}]`;
    const kept = value.slice(0, maxItems).map((item) => boundLogValue(item, options, depth + 1));
    if (value.length > maxItems) kept.push(`…[${value.length - maxItems} more items]`);
    return kept;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  if (depth >= maxDepth) return '[object]';
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const key of Object.keys(value)) {
    if (count === maxItems) {
      out['…'] = `[${Object.keys(value).length - maxItems} more keys]`;
      break;
    }
    out[truncateForLog(key, maxChars)] = boundLogValue(
      (value as Record<string, unknown>)[key],
      options,
      depth + 1,
    );
    count++;
  }
  return out;
}
