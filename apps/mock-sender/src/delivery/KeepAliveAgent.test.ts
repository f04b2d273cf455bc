import { type ClientRequest, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeepAliveAgent } from './KeepAliveAgent.js';

let server: Server | undefined;
let agent: KeepAliveAgent | undefined;
/** Connections the server side still has open. */
let serverSide = 0;

afterEach(async () => {
  agent?.destroy();
  agent = undefined;
  if (server !== undefined) {
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  }
});

/** A server answering every request with the client's port (to tell connections apart). */
async function start(options: { closeEach?: boolean } = {}): Promise<number> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (options.closeEach === true) headers.connection = 'close';
      res.writeHead(200, headers);
      res.end(String(req.socket.remotePort));
    });
  });
  serverSide = 0;
  server.on('connection', (socket) => {
    serverSide++;
    socket.on('close', () => {
      serverSide--;
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Answer {
  clientPort: string;
  reused: boolean;
}

function post(port: number, through: KeepAliveAgent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      agent: through,
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ clientPort: text, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('KeepAliveAgent', () => {
  it('reuses one connection for requests made one after another', async () => {
    const port = await start();
    agent = new KeepAliveAgent();
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(port, agent));
    expect(new Set(answers.map((a) => a.clientPort)).size).toBe(1);
    expect(answers.map((a) => a.reused)).toEqual([false, true, true, true]);
    await until(() => agent?.idleConnections === 1);
    expect(agent.openConnections).toBe(1);
  });

  it('opens one connection per request in flight and pools them all afterwards', async () => {
    const port = await start();
    agent = new KeepAliveAgent();
    const first = await Promise.all([post(port, agent), post(port, agent), post(port, agent)]);
    expect(new Set(first.map((a) => a.clientPort)).size).toBe(3);
    await until(() => agent?.idleConnections === 3);
    const second = await Promise.all([post(port, agent), post(port, agent), post(port, agent)]);
    expect(second.every((a) => a.reused)).toBe(true);
    expect(new Set(second.map((a) => a.clientPort))).toEqual(new Set(first.map((a) => a.clientPort)));
    expect(agent.openConnections).toBe(3);
  });

  it('drops an idle connection the server closed and opens a new one for the next request', async () => {
    const port = await start();
    agent = new KeepAliveAgent();
    const before = await post(port, agent);
    await until(() => agent?.idleConnections === 1);
    server?.closeIdleConnections();
    await until(() => agent?.openConnections === 0);
    expect(agent.idleConnections).toBe(0);
    const after = await post(port, agent);
    expect(after.reused).toBe(false);
    expect(after.clientPort).not.toBe(before.clientPort);
  });

  it('never reuses a connection the server answered with Connection: close', async () => {
    const port = await start({ closeEach: true });
    agent = new KeepAliveAgent();
    const a = await post(port, agent);
    const b = await post(port, agent);
    expect(a.reused).toBe(false);
    expect(b.reused).toBe(false);
    expect(b.clientPort).not.toBe(a.clientPort);
    await until(() => agent?.openConnections === 0);
  });

  it('destroy closes every connection, so the server sees them go', async () => {
    const port = await start();
    agent = new KeepAliveAgent();
    await Promise.all([post(port, agent), post(port, agent)]);
    await until(() => agent?.idleConnections === 2);
    agent.destroy();
    expect(agent.openConnections).toBe(0);
    expect(agent.idleConnections).toBe(0);
    expect(serverSide).toBe(2);
    await until(() => serverSide === 0);
  });
});
