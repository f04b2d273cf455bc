// What `mock-sender replay` runs once its flags are parsed: loaded by the command's action only.
import type { Command } from 'commander';
import { answerStatuses, parsedFlag } from '../options/catalogFlags.js';
import { resolveSecrets } from '../options/resolveSecrets.js';
import { replay } from '../replay/replay.js';
import { RetryNotices } from '../report/retryNotices.js';
import { formatSummary, runFailed } from '../report/summary.js';

export interface ReplayFlags {
  from: string;
  to: string;
  secret?: string;
  token?: string;
  newIds?: boolean;
  speed?: number | 'max';
  type?: string[];
  status?: string[];
  since?: string;
  until?: string;
  concurrency: number;
  rate?: number;
  timeout: number;
  retrySchedule?: number[];
  maxRetryAfter?: number;
  failOn?: string;
  json?: boolean;
  report?: string;
  progress: boolean;
}

/** Runs `replay` with the parsed flags; sets the exit code (0 only if every delivery got a 2xx). */
export async function replayAction(flags: ReplayFlags, command: Command): Promise<void> {
  const { secret, token, failOn, timeout, maxRetryAfter, json, report, progress, ...fields } = flags;
  const failOnStatuses = parsedFlag(command, '--fail-on', failOn, answerStatuses);
  const write = (line: string) => process.stderr.write(line);
  const retries = progress && process.stderr.isTTY === true ? undefined : new RetryNotices(write);
  const sourceToken = token ?? process.env['RECEIVER_API_TOKEN'];
  const summary = await replay({
    ...fields,
    secret: resolveSecrets(secret),
    timeoutMs: timeout,
    ...(failOnStatuses !== undefined ? { failOn: failOnStatuses } : {}),
    ...(sourceToken !== undefined && sourceToken !== '' ? { token: sourceToken } : {}),
    ...(maxRetryAfter !== undefined ? { maxRetryAfterSeconds: maxRetryAfter } : {}),
    ...(report !== undefined ? { report } : {}),
    ...(progress ? { progress: process.stderr } : {}),
    ...(retries !== undefined ? { onRetry: (retry) => retries.notice(retry) } : {}),
  });
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  process.exitCode = runFailed(summary) ? 1 : 0;
}
