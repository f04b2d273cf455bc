// The receiver's tracer and what every span of it shares. Everything goes through
// @opentelemetry/api: with no SDK installed in the process the calls are no-ops, and nothing is
// recorded or exported; the application that installs one decides where spans go.
import { createRequire } from 'node:module';
import { type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { truncateForLog } from '../logging/truncateForLog.js';

/** The instrumentation scope of every span the receiver starts. */
export const tracerName = '@webhook-contracts/receiver';

// package.json is two folders up from both src/tracing and dist/tracing.
export const tracerVersion = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;

/**
 * The receiver's tracer. Asked for at each span, not once: an SDK registered after this module
 * loaded (or replaced, in tests) is used from its next span on.
 */
export function receiverTracer(): Tracer {
  return trace.getTracer(tracerName, tracerVersion);
}

/** Longest string a span attribute or status message carries. */
export const maxAttributeChars = 256;

/** A string attribute a client or a database may have chosen, bounded. */
export function boundAttribute(value: string): string {
  return truncateForLog(value, maxAttributeChars);
}

/**
 * What a span may say about a failure: no credentials from a URL inside it, no control characters,
 * bounded. Error texts here quote drivers and handlers, which may quote a connection string.
 */
export function sanitizedMessage(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const redacted = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
  const printable = Array.from(redacted, (c) => (isControl(c.charCodeAt(0)) ? ' ' : c)).join('');
  return boundAttribute(printable);
}

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** Marks the span failed: status ERROR and an exception event, both with the sanitized message only. */
export function failSpan(span: Span, error: unknown): void {
  const message = sanitizedMessage(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.recordException({
    name: error instanceof Error ? boundAttribute(error.name) : 'Error',
    message,
  });
}
