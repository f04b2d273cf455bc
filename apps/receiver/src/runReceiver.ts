// The standalone receiver as a function: what `webhook-receiver` (main.ts) runs, for a team that
// wants the program with its own handlers: settings from the environment and flags, logging, the
// store (and the spool in front of it), listen, and graceful shutdown on SIGTERM/SIGINT.
// Only the configuration is loaded up front: the rest (startReceiver.ts) once it is read.
import { HelpShown, loadConfig } from './config.js';
import { ConfigError, ListenError, StoreError } from './errors.js';
import type { EventHandlers } from './processing/EventHandlers.js';

export { describeDatabase } from './config.js';

export interface RunReceiverOptions {
  /** Your handlers by event type, run beside the read models' (and beside `--handlers`'s). */
  handlers?: EventHandlers;
  /** Default process.env. */
  env?: Record<string, string | undefined>;
  /** Default process.argv.slice(2). */
  argv?: readonly string[];
  /**
   * On a start-up failure, print it and exit (2 for configuration, store and listen problems), as
   * the program does. Default true; false rejects with the error instead.
   */
  exitOnFailure?: boolean;
}

export interface RunningReceiver {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Graceful shutdown, as on SIGTERM, without exiting the process. */
  close(): Promise<void>;
}

/**
 * Runs the receiver as `webhook-receiver` does, with your handlers added.
 *
 * @example
 * // handlers.ts, started with `node handlers.js` and the receiver's environment (WEBHOOK_SECRET, …)
 * import { runReceiver } from '@webhook-contracts/receiver';
 * await runReceiver({
 *   handlers: { 'payment.succeeded': async (event) => { await grantAccess(event.data.user_id); return {}; } },
 * });
 */
export async function runReceiver(options: RunReceiverOptions = {}): Promise<RunningReceiver> {
  try {
    const config = loadConfig({
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.argv === undefined ? {} : { argv: options.argv }),
    });
    const { startReceiver } = await import('./startReceiver.js');
    return await startReceiver(config, options.handlers);
  } catch (error) {
    if (options.exitOnFailure === false) throw error;
    if (error instanceof HelpShown) process.exit(0);
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ConfigError || error instanceof StoreError || error instanceof ListenError) {
      process.stderr.write(`webhook-receiver: ${message}\n`);
      process.exit(2);
    }
    process.stderr.write(`webhook-receiver: failed to start: ${message}\n`);
    process.exit(1);
  }
}
