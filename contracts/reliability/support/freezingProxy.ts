// A TCP forwarder on 127.0.0.1 that plays a database host going bad: `freeze()` stops forwarding
// in both directions while every socket stays open (a hung server, a stalled network path: the
// client's queries get no answer and no error), `cut()` destroys every connection open through
// it, `thaw()` forwards again, held bytes first. Connections accepted while frozen are held too.
import * as net from 'node:net';

export interface FreezingProxy {
  readonly port: number;
  /** Connections currently open through the proxy (client side). */
  readonly connections: number;
  freeze(): void;
  /** Destroys every connection open through the proxy, both sides. */
  cut(): void;
  /** Forwards again: held bytes go first, in order. */
  thaw(): void;
  /** Cuts every connection and stops listening. */
  close(): Promise<void>;
}

/** One direction of a connection: bytes read from `from`, written to `to` unless frozen. */
interface Pipe {
  from: net.Socket;
  to: net.Socket;
  held: Buffer[];
}

/**
 * Starts forwarding 127.0.0.1:<any free port> to `targetHost:targetPort`.
 *
 * @example
 * const proxy = await startFreezingProxy('127.0.0.1', 5432);
 * proxy.freeze(); // queries through proxy.port hang
 * proxy.cut(); // every connection through it ends
 * proxy.thaw();
 */
export async function startFreezingProxy(targetHost: string, targetPort: number): Promise<FreezingProxy> {
  const pipes = new Set<Pipe>();
  const clients = new Set<net.Socket>();
  let frozen = false;

  const forward = (pipe: Pipe) => {
    pipe.from.on('data', (chunk: Buffer) => {
      if (frozen) {
        pipe.held.push(chunk);
        // Stop reading: what the peer sends next waits in the kernel, as it would on a hung host.
        pipe.from.pause();
      } else {
        pipe.to.write(chunk);
      }
    });
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const both = [client, upstream];
    const there: Pipe = { from: client, to: upstream, held: [] };
    const back: Pipe = { from: upstream, to: client, held: [] };
    pipes.add(there);
    pipes.add(back);
    clients.add(client);
    const end = () => {
      for (const s of both) s.destroy();
      pipes.delete(there);
      pipes.delete(back);
      clients.delete(client);
    };
    for (const s of both) {
      s.on('error', end);
      s.on('close', end);
    }
    forward(there);
    forward(back);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  const cut = () => {
    for (const pipe of pipes) {
      pipe.from.destroy();
      pipe.to.destroy();
    }
  };

  return {
    port,
    get connections() {
      return clients.size;
    },
    freeze() {
      frozen = true;
    },
    cut,
    thaw() {
      frozen = false;
      for (const pipe of pipes) {
        for (const chunk of pipe.held.splice(0)) pipe.to.write(chunk);
        pipe.from.resume();
      }
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
