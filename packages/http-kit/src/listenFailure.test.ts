import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenFailure } from './listenFailure.js';

const names = { port: 'PORT (--port)', host: 'HOST (--host)' };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** The error `listen` reports for `host:port`. */
function listenError(host: string, port: number): Promise<NodeJS.ErrnoException> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', resolve);
    server.listen(port, host, () => {
      servers.push(server);
      reject(new Error(`${host}:${port} was free`));
    });
  });
}

describe('listenFailure', () => {
  it('says a taken port is in use and names the port option', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    servers.push(holder);
    const { port } = holder.address() as AddressInfo;
    const error = await listenError('127.0.0.1', port);
    expect(error.code).toBe('EADDRINUSE');
    expect(listenFailure(error, '127.0.0.1', port, names)).toBe(
      `127.0.0.1:${port} is in use: stop what holds it, or pick another PORT (--port)`,
    );
  });

  it('says an address the machine does not have is not its own and names the host option', async () => {
    // 192.0.2.0/24 (TEST-NET-1) is reserved for documentation: no machine holds it.
    const error = await listenError('192.0.2.1', 0);
    expect(error.code).toBe('EADDRNOTAVAIL');
    expect(listenFailure(error, '192.0.2.1', 0, { port: '--port', host: '--host' })).toBe(
      '192.0.2.1:0 is not an address of this machine: pick another --host',
    );
  });

  it('gives the system code for any other failure, or the message when there is none', () => {
    const denied = Object.assign(new Error('listen EACCES: permission denied'), { code: 'EACCES' });
    expect(listenFailure(denied, '0.0.0.0', 80, names)).toBe('0.0.0.0:80 cannot be bound (EACCES)');
    expect(listenFailure(new Error('no code here'), '::1', 8080, names)).toBe(
      '::1:8080 cannot be bound (no code here)',
    );
  });
});
