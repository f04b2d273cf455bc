// What both forwarding scenarios set up and check: a temp directory, a NATS server of their own, a
// durable RabbitMQ exchange with one queue bound to every key, an HTTP endpoint that keeps what it
// gets, the receiver settings that point at the three, and the final check that every stored event
// reached every destination. close() undoes all of it, SIGKILLing any receiver still running.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@webhook-contracts/test-kit';
import { expect } from 'vitest';
import { bindQueue, deleteExchangeAndQueue, type OwnNats, startOwnNats } from './brokers.js';
import { type CollectingEndpoint, collectingEndpoint } from './collectingEndpoint.js';
import { expectForwardedEverywhere, exportAll, forwardMetric } from './forwardedEverywhere.js';
import { forwardingEnv } from './forwardScenario.js';
import type { ReceiverProcess } from './processes.js';
import { newSecret } from './signing.js';

export interface ForwardingRig {
  /** This run's temp directory (removed by close). */
  dir: string;
  nats: OwnNats;
  endpoint: CollectingEndpoint;
  /** The receiver's FORWARD_* (and lease) settings for this rig's destinations. */
  env: Record<string, string>;
  /** Remembers a receiver so close() kills it if it still runs; returns it. */
  track(receiver: ReceiverProcess): ReceiverProcess;
  /**
   * Waits for every destination's backlog at `receiverUrl` to drain, then checks that the
   * `expected` stored events are all at every destination; returns a report line per destination.
   */
  expectAllForwarded(receiverUrl: string, apiToken: string, expected: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts the destinations, named `<NAME>_<tag>` (stream), `<name>_<tag>` (exchange),
 * `<name>_<tag>_all` (queue) and `<name><tag>.<type>` (subjects).
 *
 * @example
 * const rig = await startForwardingRig('rel', { timeoutMs: 2000 });
 * const receiver = rig.track(await startReceiverProcess({ secret, apiToken, databaseUrl, env: rig.env }));
 * console.info((await rig.expectAllForwarded(receiver.url, apiToken, count)).join('; '));
 * await rig.close();
 */
export async function startForwardingRig(
  name: string,
  options: { timeoutMs: number },
): Promise<ForwardingRig> {
  const tag = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `reliability-${name}-`));
  const stream = `${name.toUpperCase()}_${tag}`;
  const exchange = `${name}_${tag}`;
  const queue = `${name}_${tag}_all`;
  const httpSecret = newSecret();
  const receivers: ReceiverProcess[] = [];
  let nats: OwnNats | undefined;
  let endpoint: CollectingEndpoint | undefined;

  const close = async () => {
    for (const r of receivers) await r.kill();
    await nats?.stop();
    await endpoint?.close();
    await deleteExchangeAndQueue(exchange, queue).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    nats = await startOwnNats(join(dir, 'nats'));
    await bindQueue(exchange, queue);
    endpoint = await collectingEndpoint();
  } catch (error) {
    await close();
    throw error;
  }
  const env = forwardingEnv({
    natsUrl: nats.url,
    stream,
    subjectPrefix: `${name}${tag}`,
    exchange,
    httpUrl: `${endpoint.url}/hook`,
    httpSecret,
    timeoutMs: options.timeoutMs,
  });
  const { url: natsUrl } = nats;
  const { requests } = endpoint;

  return {
    dir,
    nats,
    endpoint,
    env,
    track(receiver) {
      receivers.push(receiver);
      return receiver;
    },
    async expectAllForwarded(receiverUrl, apiToken, expected) {
      for (const d of ['nats', 'amqp', 'http']) {
        await eventually(
          `the ${d} backlog drained`,
          async () =>
            (await forwardMetric(receiverUrl, 'webhook_forward_backlog', d)) === 0 ? true : undefined,
          120_000,
        );
      }
      // Every stored event (each acknowledged one is stored: the crash scenario proves it) is at
      // every destination, with the stored bytes and the right attributes.
      const stored = await exportAll(receiverUrl, apiToken);
      expect(stored.size).toBe(expected);
      return expectForwardedEverywhere(stored, {
        natsUrl,
        stream,
        queue,
        httpRequests: requests,
        httpSecret,
      });
    },
    close,
  };
}
