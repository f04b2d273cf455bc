// What `mock-sender send` runs once its flags are parsed: loaded by the command's action only.
import type { Command } from 'commander';
import { randomSeed } from '../generators/random.js';
import { answerStatuses, eventTypes, parsedFlag } from '../options/catalogFlags.js';
import { resolveSecrets } from '../options/resolveSecrets.js';
import type { SendRequest } from '../options/SendRequest.js';
import { parseOverride } from '../payloads/overrides.js';
import { RetryNotices } from '../report/retryNotices.js';
import { formatSummary, runFailed } from '../report/summary.js';
import { type SendOptions, send } from '../sending/send.js';

/**
 * Commander's parse: the request's fields under their own names, except the flags whose name
 * differs (`--timeout`, `--max-retry-after`) and those given as text (`--secret`, `--set`,
 * `--type`, `--fail-on`).
 */
export type SendFlags = Omit<
  SendRequest,
  'secret' | 'example' | 'type' | 'set' | 'timeoutMs' | 'maxRetryAfterSeconds' | 'wait' | 'failOn'
> & {
  secret?: string;
  example?: string[];
  type?: string;
  set?: string[];
  timeout: number;
  maxRetryAfter?: number;
  failOn?: string;
  json?: boolean;
  report?: string;
  progress: boolean;
};

/** Runs `send` with the parsed flags; sets the exit code (0 only if every delivery got a 2xx). */
export async function sendAction(flags: SendFlags, command: Command): Promise<void> {
  const { secret, set, type, failOn, timeout, maxRetryAfter, json, report, progress, ...fields } = flags;
  const types = parsedFlag(command, '--type', type, eventTypes);
  const failOnStatuses = parsedFlag(command, '--fail-on', failOn, answerStatuses);
  const seed = flags.seed ?? randomSeed();
  const options: SendOptions = {
    ...fields,
    secret: resolveSecrets(secret),
    seed,
    timeoutMs: timeout,
    set: (set ?? []).map(parseOverride),
    ...(types !== undefined ? { types } : {}),
    ...(failOnStatuses !== undefined ? { failOn: failOnStatuses } : {}),
    ...(maxRetryAfter !== undefined ? { maxRetryAfterSeconds: maxRetryAfter } : {}),
    ...(report !== undefined ? { report } : {}),
    ...(progress ? { progress: process.stderr } : {}),
  };
  const write = (line: string) => process.stderr.write(line);
  // The bar shows a TTY that work goes on; elsewhere a line per scheduled retry (at most one a
  // second) says why nothing seems to happen during a long wait.
  const retries = progress && process.stderr.isTTY === true ? undefined : new RetryNotices(write);
  const summary = await send({
    ...options,
    // Printed once the options are known to be good, so a usage error is the first output.
    onStart: ({ refusals }) => {
      write(`seed: ${seed} (reproduce this run with --seed ${seed})\n`);
      if (refusals > 0)
        write(
          `${refusals} invalid example${refusals === 1 ? '' : 's'} sent to be refused: a 4xx answer is final for ${refusals === 1 ? 'it' : 'them'}, not retried\n`,
        );
    },
    ...(retries !== undefined ? { onRetry: (retry) => retries.notice(retry) } : {}),
  });
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  process.exitCode = runFailed(summary) ? 1 : 0;
}
