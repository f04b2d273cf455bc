import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, storedTraceContext, traceparentLength } from './traceparent.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const valid = `00-${traceId}-${spanId}-01`;

describe('parseTraceparent', () => {
  it('reads a version-00 traceparent as a remote span context', () => {
    expect(valid).toHaveLength(traceparentLength);
    expect(parseTraceparent(valid)).toEqual({ traceId, spanId, traceFlags: 1, isRemote: true });
    expect(parseTraceparent(`00-${traceId}-${spanId}-00`)?.traceFlags).toBe(0);
  });

  it.each([
    ['uppercase hex', `00-${traceId.toUpperCase()}-${spanId}-01`],
    ['another version', `01-${traceId}-${spanId}-01`],
    ['version ff', `ff-${traceId}-${spanId}-01`],
    ['a trailing field', `${valid}-00`],
    ['surrounding space', ` ${valid.slice(1)}`],
    ['an all-zero trace-id', `00-${'0'.repeat(32)}-${spanId}-01`],
    ['an all-zero parent-id', `00-${traceId}-${'0'.repeat(16)}-01`],
    ['a short trace-id', `00-${traceId.slice(1)}-${spanId}-01`],
    ['non-hex flags', `00-${traceId}-${spanId}-0g`],
    ['an empty string', ''],
  ])('refuses %s', (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 42, [valid], { traceparent: valid }]) {
      expect(parseTraceparent(value)).toBeUndefined();
    }
  });
});

describe('formatTraceparent', () => {
  it('writes a valid span context as version 00, its flags as two hex digits', () => {
    expect(formatTraceparent({ traceId, spanId, traceFlags: 1 })).toBe(valid);
    expect(formatTraceparent({ traceId, spanId, traceFlags: 0 })).toBe(`00-${traceId}-${spanId}-00`);
    expect(parseTraceparent(formatTraceparent({ traceId, spanId, traceFlags: 1 }))).toMatchObject({
      traceId,
      spanId,
    });
  });

  it('writes nothing for the no-op span context or ids that are not lowercase hex', () => {
    expect(formatTraceparent(INVALID_SPAN_CONTEXT)).toBeUndefined();
    expect(formatTraceparent({ traceId: traceId.toUpperCase(), spanId, traceFlags: 1 })).toBeUndefined();
  });
});

describe('storedTraceContext', () => {
  it('names the stored span as the remote parent, and nothing for a missing or invalid value', () => {
    expect(trace.getSpanContext(storedTraceContext(valid))).toEqual({
      traceId,
      spanId,
      traceFlags: 1,
      isRemote: true,
    });
    for (const value of [null, undefined, 'junk']) {
      expect(trace.getSpanContext(storedTraceContext(value))).toBeUndefined();
    }
  });
});
