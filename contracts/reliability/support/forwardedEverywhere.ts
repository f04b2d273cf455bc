// What the forwarding scenarios check at the end: every stored event is at every destination, as
// its stored bytes, with its webhook-id as message id and its CloudEvents attributes; and how many
// duplicates each destination got.
import type { ExportLine } from '@webhook-contracts/schema';
import { Webhook } from '@webhook-contracts/webhooks';
import { expect } from 'vitest';
import { type CollectedMessage, drainQueue, readStream } from './brokers.js';
import type { CollectedRequest } from './collectingEndpoint.js';

/** Every stored event by webhook-id, from GET /events/export. */
export async function exportAll(baseUrl: string, token: string): Promise<Map<string, ExportLine>> {
  const res = await fetch(`${baseUrl}/events/export`, { headers: { authorization: `Bearer ${token}` } });
  const lines = (await res.text()).split('\n').filter((l) => l !== '');
  return new Map(lines.map((l) => JSON.parse(l) as ExportLine).map((e) => [e.webhook_id, e]));
}

/** One series of a receiver's /metrics, by destination (NaN when absent). */
export async function forwardMetric(baseUrl: string, name: string, destination: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{destination="${destination}"}`));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}

export interface Destinations {
  natsUrl: string;
  stream: string;
  queue: string;
  httpRequests: readonly CollectedRequest[];
  httpSecret: string;
}

/** Checks every destination against `stored`; returns a line per destination for the report. */
export async function expectForwardedEverywhere(
  stored: ReadonlyMap<string, ExportLine>,
  d: Destinations,
): Promise<string[]> {
  const verifier = new Webhook(d.httpSecret);
  const http: CollectedMessage[] = d.httpRequests.map((r) => {
    verifier.verify(r.headers, r.body);
    return { id: r.headers['webhook-id']!, body: r.body, headers: r.headers, key: r.headers['ce-type']! };
  });
  const report: string[] = [];
  for (const [name, messages, prefix] of [
    ['nats', await readStream(d.natsUrl, d.stream), 'ce-'],
    ['amqp', await drainQueue(d.queue), 'cloudEvents_'],
    ['http', http, 'ce-'],
  ] as const) {
    const seen = new Set<string>();
    for (const m of messages) {
      const e = stored.get(m.id);
      expect(e, `${name} got an event never stored: ${m.id}`).toBeDefined();
      expect(m.body.equals(Buffer.from(e!.body_base64, 'base64')), `${name} ${m.id}: the stored bytes`).toBe(
        true,
      );
      const timestamp = (JSON.parse(m.body.toString()) as { timestamp?: string }).timestamp;
      expect([
        m.headers[`${prefix}id`],
        m.headers[`${prefix}type`],
        m.headers[`${prefix}source`],
        m.headers[`${prefix}specversion`],
        m.headers[`${prefix}time`],
      ]).toEqual([m.id, e!.type, 'https://whop.com/webhooks', '1.0', timestamp]);
      seen.add(m.id);
    }
    const missing = [...stored.keys()].filter((id) => !seen.has(id));
    expect(missing, `${name} is missing events`).toEqual([]);
    report.push(`${name} ${messages.length} messages, ${messages.length - seen.size} duplicates`);
  }
  return report;
}
