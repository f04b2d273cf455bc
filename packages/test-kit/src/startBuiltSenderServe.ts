// The built `mock-sender serve` as a child process on a free loopback port.
import { requireBuilt, senderCli } from './builtPrograms.js';
import { type RunningProgram, type StartProgramOptions, startProgram } from './startProgram.js';

/**
 * Starts `mock-sender serve --port 0 --host 127.0.0.1 <args>` and resolves once it listens.
 *
 * @example
 * const sender = await startBuiltSenderServe({ SENDER_API_TOKEN: token });
 * await fetch(`${sender.url}/healthz`);
 */
export function startBuiltSenderServe(
  env: Record<string, string>,
  args: readonly string[] = [],
  options: Omit<StartProgramOptions, 'env' | 'command'> = {},
): Promise<RunningProgram> {
  requireBuilt([senderCli]);
  return startProgram([senderCli, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    ...options,
    env,
  });
}
