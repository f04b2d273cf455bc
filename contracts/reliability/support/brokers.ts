// The brokers the forwarding scenarios publish to: a NATS server of the test's own (so it can be
// stopped and restarted without touching the machine's), RabbitMQ's app stopped and started on the
// machine's broker, and readers that collect every message a stream or queue holds.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type MsgHdrs } from '@nats-io/transport-node';
import amqp from 'amqplib';

export const amqpUrl = process.env['AMQP_URL_TEST'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const natsServer = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface OwnNats {
  url: string;
  /** Stops the server (SIGTERM) and starts it again on the same port and store. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A JetStream-enabled nats-server on a free port, its store in `dir`. */
export async function startOwnNats(dir: string): Promise<OwnNats> {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const up = async () => {
    child = spawn(natsServer, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const nc = await connect({ servers: url, timeout: 500, reconnect: false });
        await jetstreamManager(nc);
        await nc.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const down = async () => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    await exited;
  };
  await up();
  return {
    url,
    restart: async () => {
      await down();
      await up();
    },
    stop: down,
  };
}

/** `rabbitmqctl stop_app` / `start_app`: the broker process stays, its AMQP service goes. */
export function rabbitApp(action: 'stop_app' | 'start_app'): void {
  execFileSync('rabbitmqctl', [action], { stdio: 'ignore', timeout: 60_000 });
}

export interface CollectedMessage {
  id: string;
  body: Buffer;
  headers: Record<string, string>;
  /** Subject (NATS) or routing key (AMQP). */
  key: string;
}

/** Every message a JetStream stream holds, in stream order. */
export async function readStream(url: string, stream: string): Promise<CollectedMessage[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    const out: CollectedMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (m === null) continue;
      out.push({
        id: m.header.get('Nats-Msg-Id'),
        body: Buffer.from(m.data),
        headers: headerRecord(m.header),
        key: m.subject,
      });
    }
    return out;
  } finally {
    await nc.close();
  }
}

function headerRecord(h: MsgHdrs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of h.keys()) out[key.toLowerCase()] = h.get(key);
  return out;
}

/** Takes every message waiting in `queue` (acknowledging each). */
export async function drainQueue(queue: string): Promise<CollectedMessage[]> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const out: CollectedMessage[] = [];
    for (;;) {
      const m = await channel.get(queue, { noAck: true });
      if (m === false) return out;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.properties.headers ?? {})) headers[k] = String(v);
      out.push({ id: String(m.properties.messageId), body: m.content, headers, key: m.fields.routingKey });
    }
  } finally {
    await connection.close();
  }
}

/** Declares a durable queue bound to every key of a durable topic exchange (both created here). */
export async function bindQueue(exchange: string, queue: string): Promise<void> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, '#');
  } finally {
    await connection.close();
  }
}

export async function deleteExchangeAndQueue(exchange: string, queue: string): Promise<void> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}
