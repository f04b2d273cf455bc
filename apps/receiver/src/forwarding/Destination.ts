// What a forwarding destination is: a broker (or an HTTP endpoint) that takes one event at a time
// and says when it took responsibility for it. The forwarder owns the outbox, the retries and the
// leases; a destination only connects and publishes.

/** One event as a destination sends it. */
export interface ForwardMessage {
  webhookId: string;
  type: string;
  /** The exact bytes that were verified: the message body, unchanged. */
  body: Buffer;
  /** The event's `timestamp` (RFC 3339), the CloudEvents `time`; null when the body has none. */
  time: string | null;
  /**
   * The W3C traceparent of the forward span (tracing/forwardSpan), or without an SDK the delivery's
   * stored one; absent: the message carries none. See traceHeaders for where it goes.
   */
  traceparent?: string;
}

/** How one publish ended. */
export type PublishResult =
  | { ok: true /** The broker already had it (JetStream's duplicate window). */; duplicate: boolean }
  | {
      ok: false;
      error: string;
      /** The destination refuses this event for good (HTTP 410): stop forwarding it there. */
      stop?: boolean;
      /** The destination asked for this long a wait before the next try (Retry-After). */
      retryAfterMs?: number;
    };

export interface Destination {
  /** `nats`, `amqp` or `http`: the outbox rows' destination name, the metrics' label. */
  readonly name: string;
  /** FORWARD_<KIND>_TYPES: exact types or `prefix.*`; null for all. */
  readonly types: readonly string[] | null;
  /** How many publishes the forwarder runs at once for it. */
  readonly concurrency: number;
  /**
   * Connects (and declares its stream or exchange) if not connected; rejects while the broker is
   * unreachable, so the forwarder waits without claiming rows.
   */
  connect(): Promise<void>;
  /** Publishes and waits for the broker's acknowledgement (never just a socket write). */
  publish(message: ForwardMessage): Promise<PublishResult>;
  /**
   * The forward span's attributes for this message (OpenTelemetry semantic conventions:
   * `messaging.system`, `messaging.destination.name`, …). Never credentials.
   */
  spanAttributes?(message: ForwardMessage): Record<string, string | number>;
  close(): Promise<void>;
}

/** The CloudEvents source of every forwarded event: Whop's webhooks. */
export const cloudEventSource = 'https://whop.com/webhooks';

/**
 * The CloudEvents context attributes of a message, unprefixed (each binding adds its prefix):
 * `traceparent` is the Distributed Tracing extension's attribute, so it travels as `ce-traceparent`
 * (HTTP, NATS) or `cloudEvents_traceparent` (AMQP) like the others.
 */
export function cloudEventAttributes(m: ForwardMessage): Record<string, string> {
  return {
    id: m.webhookId,
    type: m.type,
    source: cloudEventSource,
    specversion: '1.0',
    ...(m.time === null ? {} : { time: m.time }),
    ...(m.traceparent === undefined ? {} : { traceparent: m.traceparent }),
  };
}

/**
 * The protocol's own trace header beside the extension attribute: `traceparent`, the W3C Trace
 * Context header, which OpenTelemetry propagators read from HTTP requests and NATS and AMQP headers.
 * The Distributed Tracing extension is not meant to replace it, and for a single hop (us to the
 * broker or endpoint) the extension MUST carry the same trace information as the protocol's
 * header: both hold the same value. `tracestate` is never sent (none is stored).
 */
export function traceHeaders(m: ForwardMessage): Record<string, string> {
  return m.traceparent === undefined ? {} : { traceparent: m.traceparent };
}

/** The message for an outbox row: its bytes as they are, and the event's `timestamp` if it has one. */
export function forwardMessage(item: { webhookId: string; type: string; body: Buffer }): ForwardMessage {
  let time: string | null = null;
  try {
    const parsed = JSON.parse(item.body.toString('utf8')) as { timestamp?: unknown };
    if (typeof parsed.timestamp === 'string') time = parsed.timestamp;
  } catch {
    // An unknown type's body need not be JSON the contract knows; it is forwarded without a time.
  }
  return { webhookId: item.webhookId, type: item.type, body: item.body, time };
}

/** A URL as logs may show it: without its user name and password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username !== '' || u.password !== '') {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** An error's message without any credentials a URL inside it carries. */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
}
