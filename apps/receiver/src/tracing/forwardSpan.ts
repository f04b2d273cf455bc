// `webhook forward`: one PRODUCER span per (event, destination) publish, a child of the
// delivery's receive span (from the stored traceparent). The message carries this span's
// traceparent so a consumer's span joins the delivery's trace; without an SDK the API's span
// keeps the stored context, so the message carries the delivery's own traceparent instead, and
// none when nothing was stored.
import { type Attributes, context, SpanKind, trace } from '@opentelemetry/api';
import { boundAttribute, failSpan, receiverTracer } from './receiverTracer.js';
import { formatTraceparent, parseTraceparent, storedTraceContext } from './traceparent.js';

/** The (event, destination) being forwarded, as the forwarder claimed it. */
export interface ForwardedItem {
  webhookId: string;
  destination: string;
  /** This attempt's number (1 for the first). */
  attempts: number;
  traceparent?: string | null | undefined;
}

/** How a publish ended, as far as the span tells it. */
export type ForwardResult = { ok: true; duplicate: boolean } | { ok: false; error: string; stop?: boolean };

/**
 * Runs `publish` under a `webhook forward` span, handing it the traceparent the message carries
 * (undefined: send none). `attributes` are the destination's (messaging.system, destination name…).
 *
 * @example
 * const result = await traceForward(item, destination.spanAttributes(message), (traceparent) =>
 *   destination.publish({ ...message, ...(traceparent === undefined ? {} : { traceparent }) }),
 * );
 */
export async function traceForward<R extends ForwardResult>(
  item: ForwardedItem,
  attributes: Attributes,
  publish: (traceparent: string | undefined) => Promise<R>,
): Promise<R> {
  const parent = storedTraceContext(item.traceparent);
  const span = receiverTracer().startSpan(
    'webhook forward',
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...boundAttributes(attributes),
        'webhook.id': boundAttribute(item.webhookId),
        'webhook.destination': item.destination,
        'webhook.forward.attempt': item.attempts,
      },
    },
    parent,
  );
  // The span's own context when an SDK made one; else the stored one, checked again as it is read.
  const stored = parseTraceparent(item.traceparent);
  const traceparent =
    formatTraceparent(span.spanContext()) ?? (stored === undefined ? undefined : formatTraceparent(stored));
  try {
    const result = await context.with(trace.setSpan(parent, span), () => publish(traceparent));
    if (result.ok) span.setAttribute('webhook.forward.duplicate', result.duplicate);
    else {
      if (result.stop === true) span.setAttribute('webhook.forward.stopped', true);
      failSpan(span, result.error);
    }
    return result;
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The destination's attributes with each string bounded (a subject holds the event type). */
function boundAttributes(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attributes))
    out[name] = typeof value === 'string' ? boundAttribute(value) : value;
  return out;
}
