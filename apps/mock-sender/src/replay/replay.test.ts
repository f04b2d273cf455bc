import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from '@webhook-contracts/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSummary } from '../report/summary.js';
import { exportLine, type RawRequest, startRecordingServer } from '../test-support/rawServers.js';
import { SECRET } from '../test-support/recorder.js';
import type { ExportedEvent } from './exportReader.js';
import { paced, replay } from './replay.js';

const crlf = Buffer.from('{"id":"evt_1",\r\n "type":"payment.succeeded"}\r\n');
const notUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
const plain = Buffer.from('{"id":"evt_3","type":"refund.created"}');
const exportText =
  exportLine('msg_one', '2026-12-01T10:00:00.000Z', crlf) +
  exportLine('msg_two', '2026-12-01T10:00:01.000Z', notUtf8, { status: 'failed' }) +
  exportLine('msg_three', '2026-12-01T10:00:03.000Z', plain, { type: 'refund.created' });

const dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function target() {
  const receiver = await startRecordingServer();
  closers.push(receiver.close);
  return { ...receiver, url: `${receiver.base}/webhooks` };
}

const NOW = Date.parse('2026-12-02T00:00:00Z');
const base = { secret: SECRET, retrySchedule: [], now: () => NOW, concurrency: 1 };
const byId = (requests: RawRequest[]) =>
  Object.fromEntries(requests.map((r) => [String(r.headers['webhook-id']), r]));

describe('replay', () => {
  it('replays plain {webhook_id, body} lines and says how many the target stored as new and as duplicates', async () => {
    const seen = new Set<string>();
    const receiver = await startRecordingServer((req) => {
      const id = String(req.headers['webhook-id']);
      const status = seen.has(id) ? 'duplicate' : 'accepted';
      seen.add(id);
      return { status: 200, body: JSON.stringify({ status, webhook_id: id }) };
    });
    closers.push(receiver.close);
    const to = `${receiver.base}/webhooks`;
    const raw = '{"id":"evt_9",\r\n"type":"payment.succeeded"}';
    const from = file(
      'plain.ndjson',
      `${JSON.stringify({ webhook_id: 'msg_a', body: raw })}\n${JSON.stringify({ webhook_id: 'msg_b', body: { type: 'refund.created' } })}\n`,
    );
    const first = await replay({ ...base, from, to });
    expect(first).toMatchObject({ sent: 2, delivered: 2, novelty: { new: 2, duplicate: 0, untold: 0 } });
    expect(first.byType).toEqual({ 'payment.succeeded': 1, 'refund.created': 1 });
    expect(receiver.requests[0]?.body.toString('utf8')).toBe(raw);
    const again = await replay({ ...base, from: file('all.ndjson', exportText), to });
    // msg_one… are new to this target; a second run of the plain file is all duplicates.
    expect(again.novelty).toEqual({ new: 3, duplicate: 0, untold: 0 });
    const second = await replay({ ...base, from, to });
    expect(second.novelty).toEqual({ new: 0, duplicate: 2, untold: 0 });
    expect(formatSummary(second)).toMatch(/^target: {4}0 stored as new, 2 duplicates$/m);
  });

  it('counts answers without a status as untold', async () => {
    const receiver = await target();
    const summary = await replay({ ...base, from: file('all.ndjson', exportText), to: receiver.url });
    expect(summary.novelty).toEqual({ new: 0, duplicate: 0, untold: 3 });
    expect(formatSummary(summary)).toMatch(
      /^target: {4}0 stored as new, 0 duplicates, 3 answered without saying which$/m,
    );
  });

  it("sends each body byte for byte under its original id, signed with the target's secret and a fresh timestamp", async () => {
    const receiver = await target();
    const summary = await replay({ ...base, from: file('all.ndjson', exportText), to: receiver.url });
    expect(summary).toMatchObject({ sent: 3, delivered: 3, failed: 0 });
    const requests = byId(receiver.requests);
    expect(Object.keys(requests)).toEqual(['msg_one', 'msg_two', 'msg_three']);
    expect(requests['msg_one']?.body.equals(crlf)).toBe(true);
    expect(requests['msg_two']?.body.equals(notUtf8)).toBe(true);
    expect(requests['msg_three']?.body.equals(plain)).toBe(true);
    const webhook = new Webhook(SECRET);
    for (const request of receiver.requests) {
      expect(request.headers['webhook-timestamp']).toBe(String(NOW / 1000));
      const expected = webhook.sign(String(request.headers['webhook-id']), NOW / 1000, request.body);
      expect(String(request.headers['webhook-signature']).split(' ')).toContain(expected);
    }
  });

  it('gives fresh msg_ ids with newIds, and filters by type, status and time', async () => {
    const receiver = await target();
    const path = file('filters.ndjson', exportText);
    await replay({ ...base, from: path, to: receiver.url, newIds: true });
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    expect(new Set(ids).size).toBe(3);

    const only = async (filter: object) => {
      receiver.requests.length = 0;
      await replay({ ...base, from: path, to: receiver.url, ...filter });
      return receiver.requests.map((r) => String(r.headers['webhook-id']));
    };
    expect(await only({ type: ['refund.created'] })).toEqual(['msg_three']);
    expect(await only({ status: ['failed'] })).toEqual(['msg_two']);
    expect(await only({ since: '2026-12-01T10:00:01Z', until: '2026-12-01T10:00:03Z' })).toEqual(['msg_two']);
  });

  it('refuses an out-of-order file before sending anything', async () => {
    const receiver = await target();
    const unordered =
      exportLine('msg_late', '2026-12-01T10:00:09Z', '{}') +
      exportLine('msg_early', '2026-12-01T10:00:01Z', '{}');
    await expect(
      replay({ ...base, from: file('unordered.ndjson', unordered), to: receiver.url }),
    ).rejects.toThrow('line 2 was received before line 1');
    expect(receiver.requests).toHaveLength(0);
  });

  it('reads a receiver export over HTTP with the token and the filters as query parameters', async () => {
    const receiver = await target();
    const source = await startRecordingServer(() => ({
      status: 200,
      body: exportText,
      type: 'application/x-ndjson',
    }));
    closers.push(source.close);
    const summary = await replay({
      ...base,
      from: `${source.base}/`,
      to: receiver.url,
      token: 'receiver-api-token',
      status: ['processed', 'failed'],
      since: '2026-12-01T00:00:00Z',
    });
    expect(summary.delivered).toBe(3);
    expect(source.requests).toHaveLength(1);
    const asked = new URL(source.requests[0]?.url ?? '', source.base);
    expect(asked.pathname).toBe('/events/export');
    expect(asked.searchParams.get('status')).toBe('processed,failed');
    expect(asked.searchParams.get('since')).toBe('2026-12-01T00:00:00.000Z');
    expect(source.requests[0]?.headers.authorization).toBe('Bearer receiver-api-token');
    expect(byId(receiver.requests)['msg_two']?.body.equals(notUtf8)).toBe(true);
  });

  it('says what the source answered when it refuses', async () => {
    const source = await startRecordingServer(() => ({ status: 401 }));
    closers.push(source.close);
    await expect(replay({ ...base, from: source.base, to: 'http://127.0.0.1:1/x' })).rejects.toMatchObject({
      code: 'invalid_source',
      message: expect.stringMatching(/answered 401: pass the receiver API token/),
    });
  });

  it('says the token was refused when one was given and the source answers 401 or 403', async () => {
    for (const status of [401, 403]) {
      const source = await startRecordingServer(() => ({ status }));
      closers.push(source.close);
      await expect(
        replay({ ...base, from: source.base, to: 'http://127.0.0.1:1/x', token: 'a-wrong-token' }),
      ).rejects.toMatchObject({
        code: 'invalid_source',
        message: `--from ${source.base}/events/export answered ${status}: it refused the token given (--token or RECEIVER_API_TOKEN): pass that receiver's own RECEIVER_API_TOKEN`,
      });
    }
  });
});

describe('paced', () => {
  it('keeps the original gaps divided by the speed, on the injected clock', async () => {
    let clock = 1_000_000;
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
      clock += ms;
    };
    const at = (seconds: number) => ({ receivedAtMs: seconds * 1000 }) as ExportedEvent;
    async function* events() {
      yield at(100);
      yield at(101);
      yield at(101);
      yield at(104);
    }
    const seen: number[] = [];
    for await (const event of paced(events(), 2, () => clock, sleep))
      seen.push(event.receivedAtMs ?? Number.NaN);
    expect(seen).toEqual([100_000, 101_000, 101_000, 104_000]);
    expect(delays).toEqual([500, 1500]);
  });
});
