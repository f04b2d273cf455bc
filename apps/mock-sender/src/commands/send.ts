import type { KnownEventType } from '@webhook-contracts/schema';
import { Command, Option } from 'commander';
import { parseOverride } from '../fixtures/overrides.js';
import { randomSeed } from '../fixtures/random.js';
import { RetryNotices } from '../report/retryNotices.js';
import { formatSummary } from '../report/summary.js';
import { resolveSecrets } from '../secrets.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_SHUFFLE_WINDOW,
  DEFAULT_TIMEOUT_MS,
  type SendOptions,
  send,
} from '../send.js';
import { collect, eventTypes, positiveInteger, positiveNumber, retrySchedule } from './options.js';

interface SendFlags {
  to: string;
  secret?: string;
  example?: string[];
  allExamples?: boolean;
  generate?: number;
  type?: KnownEventType[];
  seed?: string;
  set?: string[];
  keepIds?: boolean;
  concurrency: number;
  rate?: number;
  timeout: number;
  retrySchedule?: number[];
  maxRetryAfter?: number;
  duplicates?: number;
  shuffle?: boolean | number;
  json?: boolean;
  report?: string;
  progress: boolean;
}

export function sendCommand(): Command {
  return new Command('send')
    .description('send signed events to a receiver with retries (exit 0 only if every delivery got a 2xx)')
    .requiredOption('--to <url>', 'receiver endpoint URL')
    .option(
      '--secret <secret>',
      'endpoint secret(s): whsec_…, ws_… or bare base64; comma-separated (default: $WEBHOOK_SECRET)',
    )
    .addOption(
      new Option('--example <name>', 'send this example (repeatable; see `mock-sender examples`)')
        .argParser(collect)
        .conflicts(['allExamples']),
    )
    .addOption(new Option('--all-examples', 'send every valid docs example (the default)'))
    .addOption(
      new Option(
        '--generate <n>',
        'send N generated events (after the examples when --example or --all-examples is given)',
      ).argParser(positiveInteger),
    )
    .option(
      '--type <types>',
      'event types for --generate and --all-examples: a type, a comma list or all (default course_lesson_interaction.completed)',
      eventTypes,
    )
    .option('--seed <seed>', 'seed for generated events, fresh ids and shuffling (default: random, printed)')
    .option(
      '--set <path=value>',
      'override a field in every event (JSON value or string; repeatable)',
      collect,
    )
    .option('--keep-ids', "keep the examples' own ids instead of a fresh msg_ id per event")
    .option('--concurrency <n>', 'deliveries in flight at once', positiveInteger, DEFAULT_CONCURRENCY)
    .option('--rate <r>', 'start at most R events per second', positiveNumber)
    .option('--timeout <ms>', 'per-attempt timeout in milliseconds', positiveNumber, DEFAULT_TIMEOUT_MS)
    .option(
      '--retry-schedule <seconds>',
      'seconds before each retry, e.g. 10,20,40 (default) or 0.05,0.1; "" for none',
      retrySchedule,
    )
    .option('--max-retry-after <seconds>', 'cap on a Retry-After wait (default 300)', positiveNumber)
    .option(
      '--duplicates <k>',
      'fault injection: deliver each event K times with the same webhook-id',
      positiveInteger,
    )
    .option(
      '--shuffle [window]',
      `fault injection: deliver in shuffled order within a window (default ${DEFAULT_SHUFFLE_WINDOW})`,
      positiveInteger,
    )
    .option('--json', 'print the summary as JSON on stdout (and nothing else)')
    .option('--report <file>', 'write one JSON line per delivery as its fate becomes final')
    .option('--no-progress', 'no progress bar, even on a TTY')
    .action(async (flags: SendFlags) => {
      const seed = flags.seed ?? randomSeed();
      const options: SendOptions = {
        to: flags.to,
        secret: resolveSecrets(flags.secret),
        seed,
        concurrency: flags.concurrency,
        timeoutMs: flags.timeout,
        set: (flags.set ?? []).map(parseOverride),
        ...(flags.example ? { example: flags.example } : {}),
        ...(flags.allExamples ? { allExamples: true } : {}),
        ...(flags.generate !== undefined ? { generate: flags.generate } : {}),
        ...(flags.type !== undefined ? { types: flags.type } : {}),
        ...(flags.keepIds ? { keepIds: true } : {}),
        ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
        ...(flags.retrySchedule !== undefined ? { retrySchedule: flags.retrySchedule } : {}),
        ...(flags.maxRetryAfter !== undefined ? { maxRetryAfterSeconds: flags.maxRetryAfter } : {}),
        ...(flags.duplicates !== undefined ? { duplicates: flags.duplicates } : {}),
        ...(flags.shuffle !== undefined ? { shuffle: flags.shuffle } : {}),
        ...(flags.report !== undefined ? { report: flags.report } : {}),
        ...(flags.progress ? { progress: process.stderr } : {}),
      };
      const write = (line: string) => process.stderr.write(line);
      // The bar shows a TTY that work goes on; elsewhere a line per scheduled retry (at most one a
      // second) says why nothing seems to happen during a long wait.
      const retries = flags.progress && process.stderr.isTTY === true ? undefined : new RetryNotices(write);
      const summary = await send({
        ...options,
        // Printed once the options are known to be good, so a usage error is the first output.
        onStart: () => write(`seed: ${seed} (reproduce this run with --seed ${seed})\n`),
        ...(retries !== undefined ? { onRetry: (retry) => retries.notice(retry) } : {}),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      process.exitCode = summary.failed === 0 && summary.notSent === 0 ? 0 : 1;
    });
}
