// RabbitMQ (AMQP 0-9-1, amqplib): each event is published, persistent, to a durable topic exchange
// with the event type as routing key and message_id = webhook-id, on a confirm channel; it counts
// once the broker confirms it. CloudEvents attributes travel as `cloudEvents_*` application
// properties (the AMQP binding's prefix).
import amqp from 'amqplib';
import {
  cloudEventAttributes,
  type Destination,
  describeFailure,
  type ForwardMessage,
  type PublishResult,
  traceHeaders,
} from '../Destination.js';

export interface AmqpDestinationOptions {
  url: string;
  exchange: string;
  types: readonly string[] | null;
  /** Time limit of the connection and of each confirm. */
  timeoutMs: number;
  concurrency?: number;
}

interface Open {
  connection: amqp.ChannelModel;
  channel: amqp.ConfirmChannel;
}

export class AmqpDestination implements Destination {
  readonly name = 'amqp';
  readonly types: readonly string[] | null;
  readonly concurrency: number;
  private readonly options: AmqpDestinationOptions;
  private opening: Promise<Open> | undefined;

  constructor(options: AmqpDestinationOptions) {
    this.options = options;
    this.types = options.types;
    this.concurrency = options.concurrency ?? 256;
  }

  async connect(): Promise<void> {
    await this.open();
  }

  private open(): Promise<Open> {
    this.opening ??= this.openChannel().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  private async openChannel(): Promise<Open> {
    const connection = await amqp.connect(this.options.url, { timeout: this.options.timeoutMs });
    const forget = () => {
      if (this.opening === current) this.opening = undefined;
    };
    // A broker that stops closes the connection (and fails the confirms in flight): the next
    // publish opens a new one.
    connection.on('error', () => {});
    connection.on('close', forget);
    let current: Promise<Open> | undefined;
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => {});
      channel.on('close', () => {
        forget();
        void connection.close().catch(() => {});
      });
      await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
      const open = { connection, channel };
      current = this.opening;
      return open;
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
  }

  async publish(m: ForwardMessage): Promise<PublishResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const { channel } = await this.open();
      const headers: Record<string, string> = traceHeaders(m);
      for (const [name, value] of Object.entries(cloudEventAttributes(m)))
        headers[`cloudEvents_${name}`] = value;
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no publisher confirm within ${this.options.timeoutMs} ms`)),
          this.options.timeoutMs,
        );
        channel.publish(
          this.options.exchange,
          m.type,
          m.body,
          { persistent: true, messageId: m.webhookId, contentType: 'application/json', headers },
          (error: unknown) =>
            error ? reject(error instanceof Error ? error : new Error('nacked by the broker')) : resolve(),
        );
      });
      return { ok: true, duplicate: false };
    } catch (error) {
      return { ok: false, error: `AMQP: ${describeFailure(error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  spanAttributes(m: ForwardMessage): Record<string, string> {
    return {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': this.options.exchange,
      'messaging.rabbitmq.destination.routing_key': m.type,
      'messaging.message.id': m.webhookId,
    };
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const open = await opening?.catch(() => undefined);
    await open?.channel.close().catch(() => {});
    await open?.connection.close().catch(() => {});
  }
}
