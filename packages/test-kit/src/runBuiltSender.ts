// The built mock sender's CLI (`apps/mock-sender/dist/cli.js`) run to its end.
import { requireBuilt, senderCli } from './builtPrograms.js';
import { type ProgramResult, type RunProgramOptions, runProgram } from './runProgram.js';

/**
 * Runs `mock-sender <args>` with `env` added to the environment (or only PATH and `env` with
 * `cleanEnv`).
 *
 * @example
 * const run = await runBuiltSender(['send', '--to', url, '--generate', '10'], { WEBHOOK_SECRET: secret });
 * expect(run.code, run.stderr).toBe(0);
 */
export function runBuiltSender(
  args: readonly string[],
  env: Record<string, string>,
  options: Omit<RunProgramOptions, 'env'> = {},
): Promise<ProgramResult> {
  requireBuilt([senderCli]);
  return runProgram([senderCli, ...args], { ...options, env });
}
