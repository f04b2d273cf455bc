// The load generator, run as its own process against one URL for a fixed time. With --sign every
// request carries the docs example under a fresh webhook-id and a valid signature made here, per
// request, sent by the socket generator (support/socketLoad.ts) as fast as the server answers;
// without it, autocannon replays one unsigned request (the generator's own ceiling). With --rate N,
// autocannon's connections together send N requests a second (an offered load, not as fast as the
// server answers; latencies corrected for coordinated omission). Prints one JSON line (LoadResult)
// on stdout.
import { randomBytes } from 'node:crypto';
import { Webhook } from '@webhook-contracts/webhooks';
import autocannon from 'autocannon';
import { BENCH_SECRET, docsExampleBody } from './support/fixtures.js';
import type { LoadResult } from './support/load.js';
import { runSocketLoad } from './support/socketLoad.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const url = arg('--url');
  const connections = Number(arg('--connections') ?? '32');
  const duration = Number(arg('--duration') ?? '10');
  const sign = process.argv.includes('--sign');
  const rate = arg('--rate') === undefined ? undefined : Number(arg('--rate'));
  if (url === undefined || (rate !== undefined && !(rate > 0)))
    throw new Error('usage: loadgen.ts --url URL [--connections N] [--duration S] [--sign] [--rate N]');

  const body = docsExampleBody();
  const webhook = new Webhook(BENCH_SECRET);
  // A random tag per run, so rounds against one database never repeat an id.
  const tag = randomBytes(6).toString('hex');
  let counter = 0;
  const nextId = () => `msg_${tag}${(counter++).toString(36).padStart(8, '0')}`;
  const fixedHeaders = { 'content-type': 'application/json' };

  if (sign && rate === undefined) {
    const target = new URL(url);
    const head = `POST ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n`;
    const result = await runSocketLoad({
      url: target,
      connections,
      seconds: duration,
      request: () => {
        const id = nextId();
        const timestamp = Math.floor(Date.now() / 1000);
        const signed = `${head}webhook-id: ${id}\r\nwebhook-timestamp: ${timestamp}\r\nwebhook-signature: ${webhook.sign(id, timestamp, body)}\r\n\r\n`;
        const length = Buffer.byteLength(signed, 'latin1');
        const request = Buffer.allocUnsafe(length + body.length);
        request.write(signed, 0, 'latin1');
        body.copy(request, length);
        return request;
      },
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  const result = await autocannon({
    url,
    connections,
    duration,
    ...(rate === undefined ? {} : { overallRate: rate }),
    method: 'POST',
    headers: fixedHeaders,
    body,
    requests: [
      sign
        ? {
            method: 'POST',
            setupRequest: (req: autocannon.Request) => {
              const id = nextId();
              const timestamp = Math.floor(Date.now() / 1000);
              return {
                ...req,
                body,
                headers: {
                  ...fixedHeaders,
                  'webhook-id': id,
                  'webhook-timestamp': String(timestamp),
                  'webhook-signature': webhook.sign(id, timestamp, body),
                },
              };
            },
          }
        : { method: 'POST', body, headers: fixedHeaders },
    ],
  });
  const out: LoadResult = {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`loadgen: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
