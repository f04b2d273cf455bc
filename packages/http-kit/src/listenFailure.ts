/** How a program names its own listen options in what it tells the operator to change. */
export interface ListenOptionNames {
  /** The port option, as the operator sets it: `--port`, or `PORT (--port)`. */
  port: string;
  /** The host option, as the operator sets it: `--host`, or `HOST (--host)`. */
  host: string;
}

/**
 * One line saying why `listen` failed on `host:port` and what to change: the port taken, an
 * address this machine does not have, or the system's own code for anything else. Each app names
 * its options its own way, so the advice points at the setting the operator actually has.
 *
 * @example
 * server.once('error', (error) => {
 *   process.stderr.write(`my-app: ${listenFailure(error, '127.0.0.1', 8080, { port: '--port', host: '--host' })}\n`);
 * });
 * // my-app: 127.0.0.1:8080 is in use: stop what holds it, or pick another --port
 */
export function listenFailure(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
  names: ListenOptionNames,
): string {
  const why =
    error.code === 'EADDRINUSE'
      ? `is in use: stop what holds it, or pick another ${names.port}`
      : error.code === 'EADDRNOTAVAIL'
        ? `is not an address of this machine: pick another ${names.host}`
        : `cannot be bound (${error.code ?? error.message})`;
  return `${host}:${port} ${why}`;
}
