// `webhook process`: one span per attempt at an event, a child of the delivery's receive span
// (read back from the stored traceparent, so a retry after a restart, or on another instance,
// joins the same trace). The handler runs inside it: spans the handler starts nest under it.
import { context, isSpanContextValid, SpanKind, trace } from '@opentelemetry/api';
import { boundAttribute, failSpan, receiverTracer } from './receiverTracer.js';
import { storedTraceContext } from './traceparent.js';

/** The event being processed, as the processor claimed it. */
export interface ProcessedEvent {
  webhookId: string;
  type: string | null;
  /** This attempt's number (1 for the first). */
  attempts: number;
  /** The stored traceparent of the delivery, if one was recorded. */
  traceparent?: string | null | undefined;
}

/**
 * Runs `handle` under a `webhook process` span; its outcome's `status` is recorded, and a `failed`
 * one marks the span an error with its (sanitized) message.
 *
 * @example
 * const settlement = await traceProcessing(claim, () => decide(claim));
 */
export async function traceProcessing<R extends { status: string; error?: string }>(
  event: ProcessedEvent,
  handle: () => Promise<R>,
): Promise<R> {
  const parent = storedTraceContext(event.traceparent);
  const span = receiverTracer().startSpan(
    'webhook process',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'webhook.id': boundAttribute(event.webhookId),
        ...(event.type === null ? {} : { 'webhook.event_type': boundAttribute(event.type) }),
        'webhook.attempt': event.attempts,
      },
    },
    parent,
  );
  // No SDK (and no stored parent): the span is a no-op with nothing to pass on to the handler's.
  if (!isSpanContextValid(span.spanContext())) return handle();
  try {
    const outcome = await context.with(trace.setSpan(parent, span), handle);
    span.setAttribute('webhook.outcome', outcome.status);
    if (outcome.status === 'failed') failSpan(span, outcome.error ?? 'failed');
    return outcome;
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}
