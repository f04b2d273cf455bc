import type { KnownEventType } from '@webhook-contracts/schema';
import { Command, Option } from 'commander';
import { randomSeed } from '../generators/random.js';
import {
  answerStatuses,
  collect,
  eventTypes,
  integer,
  number,
  retrySchedule,
} from '../options/flagParsers.js';
import { resolveSecrets } from '../options/resolveSecrets.js';
import { fieldNotes, SendRequest } from '../options/SendRequest.js';
import { parseOverride } from '../payloads/overrides.js';
import { RetryNotices } from '../report/retryNotices.js';
import { formatSummary, runFailed } from '../report/summary.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_SHUFFLE_WINDOW,
  DEFAULT_TIMEOUT_MS,
  type SendOptions,
  send,
} from '../sending/send.js';

/**
 * Commander's parse: the request's fields under their own names, except the flags whose name
 * differs (`--timeout`, `--max-retry-after`) and those given as text (`--secret`, `--set`).
 */
type SendFlags = Omit<
  SendRequest,
  'secret' | 'example' | 'type' | 'set' | 'timeoutMs' | 'maxRetryAfterSeconds' | 'wait'
> & {
  secret?: string;
  example?: string[];
  type?: KnownEventType[];
  set?: string[];
  timeout: number;
  maxRetryAfter?: number;
  failOn?: string[];
  json?: boolean;
  report?: string;
  progress: boolean;
};

/** A flag's help: the request field's description (one text for the CLI, serve and the README). */
const help = (field: keyof typeof SendRequest.properties) =>
  fieldNotes(SendRequest.properties[field]).description;

export function sendCommand(): Command {
  // Values are only converted here; send() checks them against the request schema, so a bad one
  // is a usage error (exit 2) naming the flag.
  return new Command('send')
    .description('send signed events to a receiver with retries (exit 0 only if every delivery got a 2xx)')
    .requiredOption('--to <url>', 'receiver endpoint URL')
    .option(
      '--secret <secret>',
      'endpoint secret(s): whsec_…, ws_…, bare base64 or a whsk_ key (signs v1a); comma-separated (default: $WEBHOOK_SECRET)',
    )
    .addOption(
      new Option('--example <name>', `${help('example')} (repeatable)`)
        .argParser(collect)
        .conflicts(['allExamples']),
    )
    .addOption(new Option('--all-examples', help('allExamples')))
    .addOption(new Option('--generate <n>', help('generate')).argParser(integer))
    .option(
      '--type <types>',
      'event types for --generate and --all-examples: a type, a comma list or all (default: every type for the examples, course_lesson_interaction.completed for --generate)',
      eventTypes,
    )
    .option('--seed <seed>', `${help('seed')} (default: random, printed)`)
    .option(
      '--set <path=value>',
      'override a field in every event (JSON value or string; repeatable)',
      collect,
    )
    .option('--keep-ids', help('keepIds'))
    .option('--concurrency <n>', help('concurrency'), integer, DEFAULT_CONCURRENCY)
    .option('--rate <r>', help('rate'), number)
    .option('--timeout <ms>', help('timeoutMs'), number, DEFAULT_TIMEOUT_MS)
    .option(
      '--retry-schedule <seconds>',
      'seconds before each retry, e.g. 10,20,40 (default) or 0.05,0.1; "" for none',
      retrySchedule,
    )
    .option('--max-retry-after <seconds>', `${help('maxRetryAfterSeconds')} (default 300)`, number)
    .option('--duplicates <k>', help('duplicates'), integer)
    .option(
      '--shuffle [window]',
      `fault injection: deliver in shuffled order within a window (default ${DEFAULT_SHUFFLE_WINDOW})`,
      integer,
    )
    .option('--fail-on <statuses>', help('failOn'), answerStatuses)
    .option('--json', 'print the summary as JSON on stdout (and nothing else)')
    .option('--report <file>', 'write one JSON line per delivery as its fate becomes final')
    .option('--no-progress', 'no progress bar, even on a TTY')
    .action(async (flags: SendFlags) => {
      const { secret, set, type, timeout, maxRetryAfter, json, report, progress, ...fields } = flags;
      const seed = flags.seed ?? randomSeed();
      const options: SendOptions = {
        ...fields,
        secret: resolveSecrets(secret),
        seed,
        timeoutMs: timeout,
        set: (set ?? []).map(parseOverride),
        ...(type !== undefined ? { types: type } : {}),
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
    });
}
