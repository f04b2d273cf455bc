// The built receiver (dist/main.js) started against a PostgreSQL server that is not there. Needs
// `./node_modules/.bin/turbo run build` first.
import { receiverMain, requireBuilt, runProgram } from '@webhook-contracts/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { testSecret } from '../src/test-support/signedRequest.js';

beforeAll(() => requireBuilt([receiverMain]));

describe('a receiver process whose PostgreSQL is unreachable at start-up', () => {
  it('logs each retry, then exits 2 naming the cause without printing the URL', async () => {
    const run = await runProgram([receiverMain], {
      cleanEnv: true,
      env: {
        WEBHOOK_SECRET: testSecret,
        PORT: '0',
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        DATABASE_URL: 'postgres://app:s3cret-password@127.0.0.1:1/webhooks',
        DATABASE_STARTUP_TIMEOUT_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^webhook-receiver: Cannot prepare the PostgreSQL database \(schema "public"\) after \d+ attempts: connect ECONNREFUSED 127\.0\.0\.1:1\. Check DATABASE_URL/,
    );
    expect(run.stdout).toContain('database not reachable yet; retrying');
    expect(run.stdout + run.stderr).not.toContain('s3cret-password');
  }, 20_000);
});
