// The store's location as the start-up log shows it. Apart from config.ts, so the running
// receiver (startReceiver.ts) does not load the command-line parser to print it.
import type { ReceiverConfig } from './config.js';

/** The store's location for the start-up log: never the URL's credentials. */
export function describeDatabase(config: ReceiverConfig): { database: string; schema?: string } {
  if (config.database.kind === 'sqlite') return { database: config.databaseUrl };
  const url = new URL(config.database.url);
  return {
    database: `postgres://${url.host}${url.pathname}`,
    schema: config.database.schema ?? 'public',
  };
}
