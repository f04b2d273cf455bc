// The Host check that keeps browsers out: a page on evil.example whose DNS name is rebound to
// 127.0.0.1 still sends `Host: evil.example`, so only requests naming the service itself (its
// listen address and port, the loopback names for that port, or SENDER_ALLOWED_HOSTS) get in.

const HOST_SYNTAX =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export interface HostName {
  /** Lower-case host name or IP; IPv6 in brackets. */
  hostname: string;
  /** The port, or undefined when the value named none. */
  port: number | undefined;
}

/**
 * Parses a Host header or an allow-list entry (`name`, `name:port`, `[v6]:port`).
 *
 * @example
 * parseHostName('LocalHost:4000'); // { hostname: 'localhost', port: 4000 }
 */
export function parseHostName(value: string): HostName | undefined {
  if (!HOST_SYNTAX.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return undefined;
  }
  const explicitPort = /:(\d{1,5})$/.exec(value)?.[1];
  const port = explicitPort === undefined ? undefined : Number(explicitPort);
  if (port !== undefined && port > 65535) return undefined;
  return { hostname: url.hostname, port };
}

const WILDCARD = new Set(['0.0.0.0', '[::]', '']);
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Decides whether a request's Host header names this service.
 *
 * @param listen the bound interface (`--host`) and port
 * @param allowed extra names from SENDER_ALLOWED_HOSTS: `name` (any port) or `name:port`
 * @example
 * hostAllowed('localhost:4000', { host: '127.0.0.1', port: 4000 }, []); // true
 * hostAllowed('evil.example:4000', { host: '127.0.0.1', port: 4000 }, []); // false
 */
export function hostAllowed(
  header: string | undefined,
  listen: { host: string; port: number },
  allowed: readonly HostName[],
): boolean {
  if (header === undefined) return false;
  const given = parseHostName(header);
  if (given === undefined) return false;
  const port = given.port ?? 80;
  const bound = parseHostName(listen.host.includes(':') ? `[${listen.host}]` : listen.host)?.hostname ?? '';
  const own = WILDCARD.has(bound) ? LOOPBACK : [...LOOPBACK, bound];
  if (port === listen.port && own.includes(given.hostname)) return true;
  return allowed.some(
    (entry) => entry.hostname === given.hostname && (entry.port === undefined || entry.port === port),
  );
}
