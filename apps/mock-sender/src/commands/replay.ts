// `mock-sender replay`: the flags and their help. The run itself (replayAction.ts) is loaded only
// when the command runs.
import { Command, InvalidArgumentError } from 'commander';
import { fieldDescriptions as D } from '../options/fieldDescriptions.js';
import { integer, number, retrySchedule } from '../options/flagParsers.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from '../sending/runDefaults.js';
import type { ReplayFlags } from './replayAction.js';

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
    .option('--new-ids', D.newIds)
    .option('--speed <n|max>', `${D.speed} (default max)`, speed)
    .option('--type <types>', 'replay only these event types (comma list)', list)
    .option('--status <statuses>', 'replay only events with these receiver statuses (comma list)', list)
    .option('--since <time>', `${D.since} (ISO 8601)`)
    .option('--until <time>', `${D.until} (ISO 8601)`)
    .option('--concurrency <n>', D.concurrency, integer, DEFAULT_CONCURRENCY)
    .option('--rate <r>', D.rate, number)
    .option('--timeout <ms>', D.timeoutMs, number, DEFAULT_TIMEOUT_MS)
    .option(
      '--retry-schedule <seconds>',
      'seconds before each retry, e.g. 10,20,40 (default) or 0.05,0.1; "" for none',
      retrySchedule,
    )
    .option('--max-retry-after <seconds>', `${D.maxRetryAfterSeconds} (default 300)`, number)
    .option('--fail-on <statuses>', D.failOn)
    .option('--json', 'print the summary as JSON on stdout (and nothing else)')
    .option('--report <file>', 'write one JSON line per delivery as its fate becomes final')
    .option('--no-progress', 'no progress bar, even on a TTY')
    .action(async function (this: Command, flags: ReplayFlags) {
      const { replayAction } = await import('./replayAction.js');
      await replayAction(flags, this);
    });
}
