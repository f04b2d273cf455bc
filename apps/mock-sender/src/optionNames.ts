// How an error message names an option: as the CLI flag a shell user typed (`--generate`) or as
// the JSON field a `serve` client sent (`generate`). send() and check() validate the same options
// for both, so each message takes its name from here.

export type OptionNaming = 'flags' | 'fields';

const flags = {
  to: '--to',
  example: '--example',
  allExamples: '--all-examples',
  generate: '--generate',
  types: '--type',
  payloads: 'payloads',
  concurrency: '--concurrency',
  duplicates: '--duplicates',
  shuffle: '--shuffle window',
  rate: '--rate',
  timeoutMs: '--timeout',
  retrySchedule: '--retry-schedule',
  maxRetryAfterSeconds: '--max-retry-after',
} as const;

export type OptionName = keyof typeof flags;

/**
 * The name of an option in the caller's vocabulary.
 *
 * @example
 * optionName('timeoutMs', 'flags'); // '--timeout'
 * optionName('timeoutMs', 'fields'); // 'timeoutMs'
 */
export function optionName(option: OptionName, naming: OptionNaming = 'flags'): string {
  if (naming === 'flags') return flags[option];
  return option === 'types' ? 'type' : option;
}
