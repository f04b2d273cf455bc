import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuilt, runBuiltSender, senderCli } from '@webhook-contracts/test-kit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportLine, startRecordingServer } from '../src/test-support/rawServers.js';
import { SECRET } from '../src/test-support/recorder.js';

beforeAll(() => requireBuilt([senderCli]));

function run(args: string[], options: { env?: Record<string, string>; input?: Buffer | string } = {}) {
  return runBuiltSender(
    args,
    { WEBHOOK_SECRET: SECRET, ...options.env },
    { cleanEnv: true, input: options.input ?? '' },
  );
}

const crlfBody = Buffer.from('{"id":"evt_1",\r\n"data":{}}\r\n');
const oddBytes = Buffer.from([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]);
const exportText =
  exportLine('msg_first', '2026-12-01T10:00:00.000Z', crlfBody) +
  exportLine('msg_second', '2026-12-01T10:00:00.020Z', oddBytes, {
    type: 'refund.created',
    status: 'failed',
  }) +
  exportLine('msg_third', '2026-12-01T10:00:00.040Z', '{"id":"evt_3"}');

const dir = mkdtempSync(join(tmpdir(), 'replay-cli-'));
const exportFile = join(dir, 'export.ndjson');
writeFileSync(exportFile, exportText);

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function receiver() {
  const server = await startRecordingServer();
  closers.push(server.close);
  return { ...server, url: `${server.base}/webhooks` };
}

describe('mock-sender replay', () => {
  it('replays a file byte for byte under the original ids, in order, and prints the summary as JSON', async () => {
    const target = await receiver();
    const result = await run([
      'replay',
      '--from',
      exportFile,
      '--to',
      target.url,
      '--concurrency',
      '1',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sent: 3, delivered: 3, failed: 0, to: target.url });
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual([
      'msg_first',
      'msg_second',
      'msg_third',
    ]);
    expect(target.requests[0]?.body.equals(crlfBody)).toBe(true);
    expect(target.requests[1]?.body.equals(oddBytes)).toBe(true);
  });

  it('reads stdin for -, gives fresh ids with --new-ids, filters, and writes --report lines', async () => {
    const target = await receiver();
    const report = join(dir, 'report.ndjson');
    const result = await run(
      [
        'replay',
        '--from',
        '-',
        '--to',
        target.url,
        '--new-ids',
        '--status',
        'processed',
        '--report',
        report,
        '--json',
      ],
      { input: exportText },
    );
    expect(result.code).toBe(0);
    const ids = target.requests.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    expect(target.requests.map((r) => r.body.toString('latin1'))).toEqual([
      crlfBody.toString('latin1'),
      '{"id":"evt_3"}',
    ]);
    const lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id).sort()).toEqual([...ids].sort());
  });

  it('reads a receiver export with --token and the filters as query parameters', async () => {
    const source = await startRecordingServer(() => ({
      status: 200,
      body: exportText,
      type: 'application/x-ndjson',
    }));
    closers.push(source.close);
    const target = await receiver();
    const result = await run(
      [
        'replay',
        '--from',
        source.base,
        '--to',
        target.url,
        '--type',
        'refund.created',
        '--since',
        '2026-12-01T00:00:00Z',
        '--speed',
        '10',
        '--json',
      ],
      { env: { RECEIVER_API_TOKEN: 'from-the-env' } },
    );
    expect(result.code).toBe(0);
    expect(source.requests[0]?.headers.authorization).toBe('Bearer from-the-env');
    expect(source.requests[0]?.url).toBe(
      '/events/export?type=refund.created&since=2026-12-01T00%3A00%3A00.000Z',
    );
    expect(target.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_second']);
  });

  it('replays plain {webhook_id, body} lines from stdin, and names the line of a bad one', async () => {
    const target = await receiver();
    const lines = [
      { webhook_id: 'msg_plain_1', body: '{"type":"payment.succeeded",\r\n"id":"pay_1"}' },
      { webhook_id: 'msg_plain_2', body: { type: 'refund.created', id: 'ref_1' } },
    ];
    const input = lines.map((line) => JSON.stringify(line)).join('\n');
    const sent = await run(['replay', '--from', '-', '--to', target.url, '--concurrency', '1'], { input });
    expect(sent.code, sent.stderr).toBe(0);
    expect(target.requests.map((r) => [r.headers['webhook-id'], r.body.toString('utf8')])).toEqual([
      ['msg_plain_1', lines[0]?.body],
      ['msg_plain_2', '{"type":"refund.created","id":"ref_1"}'],
    ]);
    // The recording target answers {} (no status): the summary cannot tell new from duplicate.
    expect(sent.stdout).toMatch(
      /^target: {4}0 stored as new, 0 duplicates, 2 answered without saying which$/m,
    );
    expect(sent.stdout).toMatch(/^types: {5}2 types: payment\.succeeded=1 refund\.created=1$/m);
    const bad = await run(['replay', '--from', '-', '--to', target.url], {
      input: `${input}\n{"webhook_id":"msg_3","body":{}}\n{"webhook_id":["msg_4"],"body":{}}\n`,
    });
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^mock-sender: line 4 is not an event to replay at webhook_id: expected /,
      ),
    });
  });

  it('exits 2 in one line for a bad file, sending nothing', async () => {
    const target = await receiver();
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${exportText}not json\n`);
    const result = await run(['replay', '--from', bad, '--to', target.url]);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'mock-sender: line 4 is not JSON: expected an export line {"webhook_id","type","status","received_at","body_base64"} or {"webhook_id","body"}\n',
    });
    expect(target.requests).toHaveLength(0);
    const missing = await run(['replay', '--from', join(dir, 'nope.ndjson'), '--to', target.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mock-sender: --from .*nope\.ndjson: no such file/);
    const speed = await run(['replay', '--from', exportFile, '--to', target.url, '--speed', '0']);
    expect(speed).toMatchObject({ code: 2, stderr: expect.stringMatching(/^mock-sender: --speed must be/) });
  });
});
