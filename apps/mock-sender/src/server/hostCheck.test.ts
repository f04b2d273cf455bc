import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type HostName, parseHostName } from './allowedHosts.js';
import { hostCheck } from './hostCheck.js';

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** What the check does with a request whose Host is `host`: 'next', or the error it throws. */
function outcome(check: ReturnType<typeof hostCheck>, host: string | undefined): unknown {
  let result: unknown = 'answered';
  try {
    check({ headers: host === undefined ? {} : { host } } as never, {} as never, () => {
      result = 'next';
    });
  } catch (error) {
    result = error;
  }
  return result;
}

describe('hostCheck', () => {
  it('passes the listen address, loopback names on its port and SENDER_ALLOWED_HOSTS names', async () => {
    const server = await listening();
    try {
      const { port } = server.address() as { port: number };
      const check = hostCheck(server, [parseHostName('sender.internal') as HostName]);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'sender.internal']) {
        expect(outcome(check, host), host).toBe('next');
      }
    } finally {
      server.close();
    }
  });

  it('refuses any other Host with 421 host_not_allowed, without repeating it', async () => {
    const server = await listening();
    try {
      const { port } = server.address() as { port: number };
      const check = hostCheck(server, []);
      for (const host of [`evil.example:${port}`, `localhost:${port + 1}`, undefined]) {
        const error = outcome(check, host) as { status: number; code: string; message: string };
        expect(error).toMatchObject({ status: 421, code: 'host_not_allowed' });
        expect(error.message).not.toContain('evil');
      }
    } finally {
      server.close();
    }
  });
});
