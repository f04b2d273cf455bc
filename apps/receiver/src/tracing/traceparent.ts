// The W3C `traceparent` value (Trace Context, version 00), as the store keeps it and as forwarded
// messages carry it. Only a value this module wrote or checked is ever stored or sent: a header
// from outside reaches a span only through the application's propagator, never verbatim.
import {
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/** `00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>`: 55 characters, lowercase. */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Length of a version-00 traceparent. */
export const traceparentLength = 55;

/**
 * The span context a stored or forwarded `traceparent` names, as a remote parent; undefined for
 * anything that is not a version-00 value with a non-zero trace-id and parent-id.
 *
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')?.traceId;
 * // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string' || value.length !== traceparentLength) return undefined;
  const match = traceparentPattern.exec(value);
  if (match === null) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    // Version 00 defines only the sampled bit; the others are kept as they came, per the spec.
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * A span context as a version-00 `traceparent`; undefined when it is not valid (the API's no-op
 * spans have all-zero ids).
 *
 * @example
 * formatTraceparent(span.spanContext()); // '00-…-…-01', or undefined without an SDK
 */
export function formatTraceparent(spanContext: SpanContext): string | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = spanContext.traceFlags & 0xff || TraceFlags.NONE;
  const value = `00-${spanContext.traceId}-${spanContext.spanId}-${flags.toString(16).padStart(2, '0')}`;
  // isSpanContextValid checks the ids' form; this also holds them to lowercase and the length.
  return parseTraceparent(value) === undefined ? undefined : value;
}

/**
 * The context whose (remote) span a stored traceparent names, for a span that continues the
 * delivery's trace; the empty context when none was stored or the value is not valid.
 */
export function storedTraceContext(traceparent: string | null | undefined): Context {
  const parent = parseTraceparent(traceparent);
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
}
