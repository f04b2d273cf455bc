// How an error message names an option: as the CLI flag a shell user typed (`--generate`) or as
// the JSON field a `serve` client sent (`generate`). send() and check() validate the same options
// for both, so each message takes its name from here.

export type OptionNaming = 'flags' | 'fields';

/** Each JSON field of the send and check requests and its CLI flag. */
const flags = {
  to: '--to',
  secret: '--secret',
  example: '--example',
  allExamples: '--all-examples',
  generate: '--generate',
  type: '--type',
  payloads: 'payloads',
  seed: '--seed',
  set: '--set',
  keepIds: '--keep-ids',
  concurrency: '--concurrency',
  duplicates: '--duplicates',
  shuffle: '--shuffle window',
  rate: '--rate',
  timeoutMs: '--timeout',
  retrySchedule: '--retry-schedule',
  maxRetryAfterSeconds: '--max-retry-after',
  failOn: '--fail-on',
  from: '--from',
  token: '--token',
  newIds: '--new-ids',
  speed: '--speed',
  status: '--status',
  since: '--since',
  until: '--until',
  wait: '(serve only)',
} as const;

export type OptionName = keyof typeof flags;

export const isOptionName = (name: string): name is OptionName => Object.hasOwn(flags, name);

/**
 * The name of an option in the caller's vocabulary.
 *
 * @example
 * optionName('timeoutMs', 'flags'); // '--timeout'
 * optionName('timeoutMs', 'fields'); // 'timeoutMs'
 */
export function optionName(option: OptionName, naming: OptionNaming = 'flags'): string {
  return naming === 'flags' ? flags[option] : option;
}
