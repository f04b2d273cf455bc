// The built receiver (`apps/receiver/dist/main.js`) as a child process, on a free loopback port
// unless PORT is given, logging at info: its "listening on" line is how it is known to be up.
import { receiverMain, requireBuilt } from './builtPrograms.js';
import { type RunningProgram, type StartProgramOptions, startProgram } from './startProgram.js';

/**
 * Starts the built receiver with `env` (WEBHOOK_SECRET, DATABASE_URL, …) and resolves once it
 * listens; `url` is its base URL.
 *
 * @example
 * const receiver = await startBuiltReceiver({ WEBHOOK_SECRET: secret, DATABASE_URL: `sqlite:${file}` });
 * await deliver(`${receiver.url}/webhooks`, signed);
 * await receiver.stop();
 */
export function startBuiltReceiver(
  env: Record<string, string>,
  options: Omit<StartProgramOptions, 'env' | 'command'> = {},
): Promise<RunningProgram> {
  requireBuilt([receiverMain]);
  return startProgram([receiverMain], {
    ...options,
    env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
}
