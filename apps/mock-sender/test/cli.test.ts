import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuilt, runBuiltSender, senderCli } from '@webhook-contracts/test-kit';
import { signedHeaders } from '@webhook-contracts/webhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type TestReceiver } from '../src/test-support/receivers.js';
import { SECRET } from '../src/test-support/recorder.js';

beforeAll(() => requireBuilt([senderCli]));

function run(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return runBuiltSender(args, options.env ?? {}, { cleanEnv: true, input: options.input ?? '' });
}

let receiver: TestReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('mock-sender CLI', () => {
  it('lists the examples with a description each, docs page first', async () => {
    const { code, stdout } = await run(['examples']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^docs-page\s+the docs page's example payload/);
    expect(lines.some((l) => /^invalid\.completed-is-a-string\s+invalid: /.test(l))).toBe(true);
  });

  it('signs a file exactly as the webhooks package does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-sender-cli-'));
    const file = join(dir, 'body.json');
    const body = '{"hello": "wörld"}\n';
    writeFileSync(file, body);
    const { code, stdout } = await run(
      ['sign', '--id', 'msg_cli1', '--timestamp', '1700000000', '--file', file],
      {
        env: { WEBHOOK_SECRET: SECRET },
      },
    );
    expect(code).toBe(0);
    const expected = signedHeaders({ secret: SECRET, id: 'msg_cli1', timestamp: 1700000000, body });
    expect(stdout).toBe(
      `webhook-id: msg_cli1\nwebhook-timestamp: 1700000000\nwebhook-signature: ${expected['webhook-signature']}\n`,
    );
  });

  it('signs stdin and prints JSON with --json, using --secret over the env', async () => {
    const { code, stdout } = await run(
      ['sign', '--json', '--id', 'msg_cli2', '--timestamp', '1614265330', '--secret', SECRET],
      {
        input: '{"test": 2432232314}',
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      'webhook-id': 'msg_cli2',
      'webhook-timestamp': '1614265330',
      'webhook-signature': signedHeaders({
        secret: SECRET,
        id: 'msg_cli2',
        timestamp: 1614265330,
        body: '{"test": 2432232314}',
      })['webhook-signature'],
    });
  });

  it('exits 2 with a clear message when the secret is missing', async () => {
    const { code, stderr } = await run(['send', '--to', 'http://127.0.0.1:1/x']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'WEBHOOK_SECRET is not set: pass the endpoint secret (whsec_… or ws_…) with --secret or the env',
    );
  });

  it('exits 2 on usage errors', async () => {
    const env = { WEBHOOK_SECRET: SECRET };
    expect((await run(['send'], { env })).code).toBe(2);
    expect((await run(['send', '--to', 'http://x', '--concurrency', 'zero'], { env })).code).toBe(2);
    expect(
      (await run(['send', '--to', 'http://x', '--all-examples', '--example', 'docs-page'], { env })).code,
    ).toBe(2);
    expect((await run(['send', '--to', 'http://x', '--example', 'no-such'], { env })).code).toBe(2);
    expect((await run(['frobnicate'], { env })).code).toBe(2);
  });

  it('sends generated events, prints only the JSON summary on stdout and exits 0 when all are delivered', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const { code, stdout, stderr } = await run(
      ['send', '--to', receiver.url, '--generate', '5', '--seed', '9', '--json'],
      {
        env: { WEBHOOK_SECRET: SECRET },
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ seed: '9', sent: 5, delivered: 5, failed: 0 });
    expect(stderr).toContain('--seed 9');
    expect(receiver.accepted).toHaveLength(5);
  });

  it('sends generated events of the --type list, and of every type with --type all', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const env = { WEBHOOK_SECRET: SECRET };
    const some = await run(
      [
        'send',
        '--to',
        receiver.url,
        '--generate',
        '4',
        '--type',
        'refund.created,payment.succeeded',
        '--seed',
        '3',
        '--json',
      ],
      { env },
    );
    expect(some.code).toBe(0);
    // Lifecycle order: the payment goes before the refund that refers to it.
    expect(receiver.acceptedTypes.sort()).toEqual([
      'payment.succeeded',
      'payment.succeeded',
      'refund.created',
      'refund.created',
    ]);
    await receiver.close();

    receiver = await startReceiver(SECRET, 'compliant');
    const all = await run(['send', '--to', receiver.url, '--generate', '41', '--type', 'all', '--json'], {
      env,
    });
    expect(all.code).toBe(0);
    expect(new Set(receiver.acceptedTypes).size).toBe(41);
    // Two CLI runs, one generating every catalog type: seconds on a loaded machine.
  }, 60_000);

  it('exits 2 naming an --type outside the catalog', async () => {
    const { code, stderr } = await run(
      ['send', '--to', 'http://x', '--generate', '1', '--type', 'payout.created'],
      {
        env: { WEBHOOK_SECRET: SECRET },
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('unknown event type "payout.created"');
  });

  it("lists each type's example as <type>/<name> and sends one by that name", async () => {
    const list = await run(['examples']);
    expect(list.stdout).toMatch(/^refund\.created\/valid\.example\s+valid variant: example$/m);
    expect(list.stdout).toMatch(
      /^refund\.created\/invalid\.payment-is-an-id\s+invalid: .*"\/data\/payment"/m,
    );
    receiver = await startReceiver(SECRET, 'compliant');
    const sent = await run(
      ['send', '--to', receiver.url, '--example', 'refund.created/valid.example', '--json'],
      {
        env: { WEBHOOK_SECRET: SECRET },
      },
    );
    expect(sent.code).toBe(0);
    expect(receiver.acceptedTypes).toEqual(['refund.created']);
  });

  it('exits 1 when a delivery fails for good', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const { code, stdout } = await run(
      [
        'send',
        '--to',
        receiver.url,
        '--example',
        'invalid.completed-is-a-string',
        '--retry-schedule',
        '0.01',
      ],
      { env: { WEBHOOK_SECRET: SECRET } },
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/failed:\s+1/);
    // An invalid example's 4xx is final: one attempt, no retry.
    expect(stdout).toMatch(/attempts:\s+1 \(422=1\)/);
  });

  it('says why deliveries failed in the summary, and prints a line for each scheduled retry without a TTY', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const { code, stdout, stderr } = await run(
      [
        'send',
        '--to',
        receiver.url,
        '--example',
        'invalid.completed-is-a-string',
        '--example',
        'docs-page',
        '--set',
        'data.completed="yes"',
        '--retry-schedule',
        '0.01',
      ],
      { env: { WEBHOOK_SECRET: SECRET } },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^1 invalid example sent to be refused: a 4xx answer is final for it, not retried$/m,
    );
    expect(stdout).toMatch(/^\s+422: error code contract_violation$/m);
    // Only the valid example (made invalid by --set) is retried.
    expect(stderr.match(/^retry /gm)).toHaveLength(1);
    expect(stderr).toMatch(
      /^retry 1\/1 of msg_[0-9A-Za-z]{24} in 0 s: got 422 \(error code contract_violation\)$/m,
    );
  });

  it('refuses a --fail-on outcome the contract does not declare, naming the known ones (exit 2)', async () => {
    const { code, stderr } = await run(
      ['send', '--to', 'http://127.0.0.1:1/webhooks', '--fail-on', 'quarantined,rejected'],
      { env: { WEBHOOK_SECRET: SECRET } },
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      'unknown "rejected": expected a comma list of accepted, duplicate, unhandled, quarantined.',
    );
  });

  it('names the errno when the receiver is not there', async () => {
    const { code, stdout } = await run(
      ['send', '--to', 'http://127.0.0.1:1/webhooks', '--generate', '1', '--retry-schedule', ''],
      { env: { WEBHOOK_SECRET: SECRET } },
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/connection_error: connect ECONNREFUSED 127\.0\.0\.1:1/);
  });

  it('says in one line that the serve port is in use, and exits 2', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as import('node:net').AddressInfo;
    try {
      const result = await run(['serve', '--port', String(port)], {
        env: { SENDER_API_TOKEN: 'a-token-of-16-chars-or-more' },
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `mock-sender: 127.0.0.1:${port} is in use: stop what holds it, or pick another --port`,
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('reports usage mistakes in one line, before any other output', async () => {
    const env = { WEBHOOK_SECRET: SECRET };
    const noScheme = await run(['send', '--to', 'localhost:3100/webhooks', '--generate', '1'], { env });
    expect(noScheme).toMatchObject({ code: 2, stdout: '' });
    expect(noScheme.stderr).toBe(
      'mock-sender: --to "localhost:3100/webhooks" has no scheme: did you mean http://localhost:3100/webhooks?\n',
    );
    const typo = await run(['send', '--to', 'http://127.0.0.1:1/x', '--example', 'invalid.missing-ids'], {
      env,
    });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      'mock-sender: no example named "invalid.missing-ids" (did you mean invalid.missing-id, invalid.missing-data, invalid.missing-status?): run `mock-sender examples` to list them\n',
    );
    const missing = await run(['sign', '--file', '/nonexistent/body.json'], { env });
    expect(missing).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'mock-sender: --file /nonexistent/body.json: no such file\n',
    });
    const check = await run(['check', '--to', '127.0.0.1:3100/webhooks'], { env });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('did you mean http://127.0.0.1:3100/webhooks?');
  });

  it('runs the conformance check: exit 0 for a compliant receiver, 1 naming the failing case otherwise', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const ok = await run(['check', '--to', receiver.url], { env: { WEBHOOK_SECRET: SECRET } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('all 16 cases passed');
    await receiver.close();

    receiver = await startReceiver(SECRET, 'rejects-duplicates');
    const bad = await run(['check', '--to', receiver.url, '--json'], { env: { WEBHOOK_SECRET: SECRET } });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { results: Array<{ case: string; pass: boolean }> };
    expect(report.results.filter((r) => !r.pass).map((r) => r.case)).toEqual([
      'the same webhook-id again (a retry) is accepted',
    ]);
  });
});
