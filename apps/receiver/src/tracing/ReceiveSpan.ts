// The spans of one HTTP delivery: `webhook receive` (SERVER) around the whole request, and
// `webhook store` (its child) around the durable commit. The receive span's traceparent is what
// the store keeps with a new event, so processing and forwarding, later and maybe elsewhere,
// continue this trace.
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Context,
  context,
  defaultTextMapGetter,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { boundAttribute, failSpan, receiverTracer, sanitizedMessage } from './receiverTracer.js';
import { formatTraceparent } from './traceparent.js';

/** What the receive span records about the answer: never headers, secrets or the body. */
export interface ReceiveAnswer {
  status: number;
  /** The `webhook_deliveries_total` outcome label. */
  outcome: string;
  duplicate?: boolean;
  /** The error code of a refusal. */
  errorCode?: string;
}

/** A verified delivery's identity. */
export interface TracedDelivery {
  webhookId: string;
  type: string | null;
}

export class ReceiveSpan {
  readonly span: Span;
  private readonly parent: Context;
  private active: Context | undefined;
  /**
   * Whether the span is a real one. It is not when no SDK is installed (nor a parent given): a
   * span without a valid context has nothing to record or pass on, so its store span and contexts
   * are not made.
   */
  private readonly traced: boolean;
  private ended = false;

  private constructor(span: Span, parent: Context) {
    this.span = span;
    this.parent = parent;
    this.traced = isSpanContextValid(span.spanContext());
  }

  /** The context whose active span is the receive span: the store span's parent. */
  get context(): Context {
    this.active ??= trace.setSpan(this.parent, this.span);
    return this.active;
  }

  /**
   * Starts the span of a delivery. Its parent is the active span when the application traces
   * HTTP itself; otherwise what the application's propagator extracts from the headers (none
   * without an SDK: a sender's `traceparent` is never trusted by this code itself).
   */
  static start(headers: IncomingHttpHeaders): ReceiveSpan {
    const active = context.active();
    const parent =
      trace.getSpan(active) === undefined
        ? propagation.extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
        : active;
    const span = receiverTracer().startSpan(
      'webhook receive',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST' } },
      parent,
    );
    return new ReceiveSpan(span, parent);
  }

  /** The delivery is authentic: its id and type. */
  verified(delivery: TracedDelivery): void {
    if (!this.span.isRecording()) return;
    this.span.setAttribute('webhook.id', boundAttribute(delivery.webhookId));
    if (delivery.type !== null) this.span.setAttribute('webhook.event_type', boundAttribute(delivery.type));
  }

  /**
   * The traceparent to store with a new event: this span's, when an SDK made it a real one;
   * undefined otherwise (nothing is stored then).
   */
  traceparent(): string | undefined {
    return formatTraceparent(this.span.spanContext());
  }

  /** Runs the commit under a `webhook store` span. */
  async store<T extends { inserted: boolean; deliveriesSeen: number }>(
    delivery: TracedDelivery,
    commit: () => Promise<T>,
  ): Promise<T> {
    if (!this.traced) return commit();
    const span = receiverTracer().startSpan(
      'webhook store',
      { kind: SpanKind.INTERNAL, attributes: { 'webhook.id': boundAttribute(delivery.webhookId) } },
      this.context,
    );
    try {
      const outcome = await context.with(trace.setSpan(this.context, span), commit);
      span.setAttributes({
        'webhook.inserted': outcome.inserted,
        'webhook.deliveries_seen': outcome.deliveriesSeen,
      });
      return outcome;
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Records the answer and ends the span; a 5xx is an error (the sender retries), a 4xx is not. */
  answered(answer: ReceiveAnswer): void {
    if (this.ended) return;
    this.ended = true;
    if (this.span.isRecording()) {
      this.span.setAttributes({
        'http.response.status_code': answer.status,
        'webhook.outcome': answer.outcome,
        ...(answer.duplicate === undefined ? {} : { 'webhook.duplicate': answer.duplicate }),
      });
    }
    if (answer.status >= 500) {
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: sanitizedMessage(answer.errorCode ?? answer.outcome),
      });
    }
    this.span.end();
  }

  /** An unexpected error ended the request (answered 500). */
  failed(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.span.setAttribute('http.response.status_code', 500);
    failSpan(this.span, error);
    this.span.end();
  }
}
