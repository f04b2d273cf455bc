// `mock-sender send`: the flags and their help. The run itself (sendAction.ts) is loaded only when
// the command runs, so `send --help` costs commander and these strings.
import { Command, Option } from 'commander';
import { fieldDescriptions as D } from '../options/fieldDescriptions.js';
import { collect, integer, number, retrySchedule } from '../options/flagParsers.js';
import { DEFAULT_CONCURRENCY, DEFAULT_SHUFFLE_WINDOW, DEFAULT_TIMEOUT_MS } from '../sending/runDefaults.js';
import type { SendFlags } from './sendAction.js';

/** The flags' help is the request fields' descriptions: one text for the CLI, serve and the README. */
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
      new Option('--example <name>', `${D.example} (repeatable)`)
        .argParser(collect)
        .conflicts(['allExamples']),
    )
    .addOption(new Option('--all-examples', D.allExamples))
    .addOption(new Option('--generate <n>', D.generate).argParser(integer))
    .option(
      '--type <types>',
      'event types for --generate and --all-examples: a type, a comma list or all (default: every type for the examples, course_lesson_interaction.completed for --generate)',
    )
    .option('--seed <seed>', `${D.sendSeed} (default: random, printed)`)
    .option(
      '--set <path=value>',
      'override a field in every event (JSON value or string; repeatable)',
      collect,
    )
    .option('--keep-ids', D.keepIds)
    .option('--concurrency <n>', D.concurrency, integer, DEFAULT_CONCURRENCY)
    .option('--rate <r>', D.rate, number)
    .option('--timeout <ms>', D.timeoutMs, number, DEFAULT_TIMEOUT_MS)
    .option(
      '--retry-schedule <seconds>',
      'seconds before each retry, e.g. 10,20,40 (default) or 0.05,0.1; "" for none',
      retrySchedule,
    )
    .option('--max-retry-after <seconds>', `${D.maxRetryAfterSeconds} (default 300)`, number)
    .option('--duplicates <k>', D.duplicates, integer)
    .option(
      '--shuffle [window]',
      `fault injection: deliver in shuffled order within a window (default ${DEFAULT_SHUFFLE_WINDOW})`,
      integer,
    )
    .option('--fail-on <statuses>', D.failOn)
    .option('--json', 'print the summary as JSON on stdout (and nothing else)')
    .option('--report <file>', 'write one JSON line per delivery as its fate becomes final')
    .option('--no-progress', 'no progress bar, even on a TTY')
    .action(async function (this: Command, flags: SendFlags) {
      const { sendAction } = await import('./sendAction.js');
      await sendAction(flags, this);
    });
}
