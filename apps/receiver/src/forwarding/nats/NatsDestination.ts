// NATS JetStream: each event is published to `<prefix>.<type>` with Nats-Msg-Id = webhook-id, and
// counts once the stream's PubAck arrives (a duplicate ack too: the stream already holds it). The
// stream is created when missing, with a duplicate window of two minutes, so a re-forward after a
// crash is dropped by the stream itself.
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import {
  cloudEventAttributes,
  type Destination,
  describeFailure,
  type ForwardMessage,
  type PublishResult,
  traceHeaders,
} from '../Destination.js';

export interface NatsDestinationOptions {
  url: string;
  stream: string;
  /** `whop.{type}`: the subject template; everything before `.{type}` is the stream's prefix. */
  subject: string;
  types: readonly string[] | null;
  /** Time limit of the connection and of each PubAck. */
  timeoutMs: number;
  concurrency?: number;
}

/** The duplicate window of a stream this destination creates. */
export const natsDuplicateWindowMs = 120_000;

/** A subject token NATS accepts: no spaces, wildcards or empty tokens. */
const subjectPattern = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export class NatsDestination implements Destination {
  readonly name = 'nats';
  readonly types: readonly string[] | null;
  readonly concurrency: number;
  private readonly options: NatsDestinationOptions;
  private connecting: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;

  constructor(options: NatsDestinationOptions) {
    this.options = options;
    this.types = options.types;
    this.concurrency = options.concurrency ?? 256;
  }

  /** The stream's subjects: `<prefix>.>`. */
  get streamSubject(): string {
    return `${subjectPrefix(this.options.subject)}.>`;
  }

  async connect(): Promise<void> {
    await this.connection();
  }

  private connection(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async open(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    const { url, timeoutMs, stream } = this.options;
    // The client reconnects by itself (NATS restarts); a connection it gives up on is replaced.
    const nc = await connect({
      servers: url,
      timeout: timeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // The client otherwise builds an Error (a stack trace) per publish, in case its ack times
      // out: a tenth of the forwarding main thread. A timeout still fails the publish, and the
      // destination reports it.
      noAsyncTraces: true,
    });
    void nc.closed().then(() => {
      this.connecting = undefined;
    });
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      try {
        await jsm.streams.info(stream);
      } catch (error) {
        if ((error as { name?: string }).name !== 'StreamNotFoundError') throw error;
        // An existing stream is used as it is; a missing one is created with a dedupe window.
        await jsm.streams.add({
          name: stream,
          subjects: [this.streamSubject],
          duplicate_window: nanos(natsDuplicateWindowMs),
        });
      }
      return { nc, js: jetstream(nc, { timeout: timeoutMs }) };
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }

  async publish(m: ForwardMessage): Promise<PublishResult> {
    const subject = this.options.subject.replace('{type}', m.type);
    if (!subjectPattern.test(subject)) {
      return { ok: false, stop: true, error: `"${m.type}" does not make a NATS subject (${subject})` };
    }
    try {
      const { js } = await this.connection();
      const h = headers();
      for (const [name, value] of Object.entries(cloudEventAttributes(m))) h.set(`ce-${name}`, value);
      for (const [name, value] of Object.entries(traceHeaders(m))) h.set(name, value);
      h.set('content-type', 'application/json');
      const ack = await js.publish(subject, m.body, {
        msgID: m.webhookId,
        headers: h,
        timeout: this.options.timeoutMs,
      });
      return { ok: true, duplicate: ack.duplicate };
    } catch (error) {
      return { ok: false, error: `NATS: ${describeFailure(error)}` };
    }
  }

  spanAttributes(m: ForwardMessage): Record<string, string> {
    return {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': this.options.subject.replace('{type}', m.type),
      'messaging.message.id': m.webhookId,
    };
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    const open = await connecting?.catch(() => undefined);
    await open?.nc.drain().catch(() => {});
  }
}

/** `whop.{type}` → `whop`. */
export function subjectPrefix(template: string): string {
  return template.slice(0, template.length - '.{type}'.length);
}
