import { Command, InvalidArgumentError } from 'commander';
import { answerStatuses, integer, number, retrySchedule } from '../options/flagParsers.js';
import { resolveSecrets } from '../options/resolveSecrets.js';
import { fieldNotes, ReplayRequest } from '../options/SendRequest.js';
import { replay } from '../replay/replay.js';
import { RetryNotices } from '../report/retryNotices.js';
import { formatSummary, runFailed } from '../report/summary.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../sending/runDeliveries.js';

interface ReplayFlags {
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
  failOn?: string[];
  json?: boolean;
  report?: string;
  progress: boolean;
}

const help = (field: keyof typeof ReplayRequest.properties) =>
  fieldNotes(ReplayRequest.properties[field]).description;

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function speed(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected max or a number.');
  return n;
}

export function replayCommand(): Command {
  return new Command('replay')
    .description(
      "send a receiver's exported events to another receiver, bodies byte for byte (exit 0 only if every delivery got a 2xx)",
    )
    .requiredOption(
      '--from <source>',
      'NDJSON of export lines or {"webhook_id","body"} lines: a file, - for stdin, or a receiver base URL',
    )
    .requiredOption('--to <url>', 'receiver endpoint URL to replay to')
    .option(
      '--secret <secret>',
      "the target's endpoint secret(s): whsec_…, ws_…, bare base64 or a whsk_ key (signs v1a); comma-separated (default: $WEBHOOK_SECRET)",
    )
    .option('--token <token>', "the source receiver's API token (default: $RECEIVER_API_TOKEN)")
    .option('--new-ids', help('newIds'))
    .option('--speed <n|max>', `${help('speed')} (default max)`, speed)
    .option('--type <types>', 'replay only these event types (comma list)', list)
    .option('--status <statuses>', 'replay only events with these receiver statuses (comma list)', list)
    .option('--since <time>', `${help('since')} (ISO 8601)`)
    .option('--until <time>', `${help('until')} (ISO 8601)`)
    .option('--concurrency <n>', help('concurrency'), integer, DEFAULT_CONCURRENCY)
    .option('--rate <r>', help('rate'), number)
    .option('--timeout <ms>', help('timeoutMs'), number, DEFAULT_TIMEOUT_MS)
    .option(
      '--retry-schedule <seconds>',
      'seconds before each retry, e.g. 10,20,40 (default) or 0.05,0.1; "" for none',
      retrySchedule,
    )
    .option('--max-retry-after <seconds>', `${help('maxRetryAfterSeconds')} (default 300)`, number)
    .option('--fail-on <statuses>', help('failOn'), answerStatuses)
    .option('--json', 'print the summary as JSON on stdout (and nothing else)')
    .option('--report <file>', 'write one JSON line per delivery as its fate becomes final')
    .option('--no-progress', 'no progress bar, even on a TTY')
    .action(async (flags: ReplayFlags) => {
      const { secret, token, timeout, maxRetryAfter, json, report, progress, ...fields } = flags;
      const write = (line: string) => process.stderr.write(line);
      const retries = progress && process.stderr.isTTY === true ? undefined : new RetryNotices(write);
      const sourceToken = token ?? process.env['RECEIVER_API_TOKEN'];
      const summary = await replay({
        ...fields,
        secret: resolveSecrets(secret),
        timeoutMs: timeout,
        ...(sourceToken !== undefined && sourceToken !== '' ? { token: sourceToken } : {}),
        ...(maxRetryAfter !== undefined ? { maxRetryAfterSeconds: maxRetryAfter } : {}),
        ...(report !== undefined ? { report } : {}),
        ...(progress ? { progress: process.stderr } : {}),
        ...(retries !== undefined ? { onRetry: (retry) => retries.notice(retry) } : {}),
      });
      process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      process.exitCode = runFailed(summary) ? 1 : 0;
    });
}
