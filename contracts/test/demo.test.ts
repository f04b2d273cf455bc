// `npm run demo -- --port N`: the demo's receiver listens on the port asked for, and a port that is
// not one is refused before anything starts.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runProgram } from '@webhook-contracts/test-kit';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

const demo = join(contractsDir, '..', 'scripts/demo.mjs');

/** A port that was free a moment ago: listened on, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return address.port;
}

describe('npm run demo -- --port', () => {
  it('runs the demo with its receiver on the port given', async () => {
    const port = await freePort();
    const run = await runProgram([demo, '--port', String(port)], { env: { DEMO_EVENTS: '5' } });
    expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`listening on http://127.0.0.1:${port} `);
  }, 90_000);

  it.each(['70000', 'abc', '-1'])('refuses --port %s with the range, exit 2', async (port) => {
    const run = await runProgram([demo, `--port=${port}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`demo: --port is "${port}": expected a TCP port from 0 to 65535`);
  });
});
