// The request fields' descriptions, as plain text: the request schemas (SendRequest.ts) carry them
// for the options page and the validator's messages, and the CLI's --help prints them without
// loading TypeBox, so a command's help costs no more than commander itself.

/** One description per request field; a field several requests share says the same in each. */
export const fieldDescriptions = {
  to: 'the receiver URL (http or https, no user:password@)',
  secret:
    "endpoint secret(s): whsec_…, ws_…, base64 or whsk_… (v1a); a string may list several (comma-separated); or the service's WEBHOOK_SECRET for SENDER_ALLOWED_TARGETS",
  wait: 'answer with the result (true) or 202 with a run to poll at /runs/:id (false)',
  timeoutMs: 'per-attempt timeout in milliseconds',
  concurrency: 'deliveries in flight at once',
  rate: 'start at most this many events per second',
  retrySchedule: 'seconds before each retry; [] for none',
  maxRetryAfterSeconds: 'cap on a Retry-After wait, seconds',
  failOn: "fail the run (exit 1) when a 2xx answer's status field says one of these, e.g. quarantined",
  example: 'send these examples by name (see `mock-sender examples`)',
  allExamples:
    'send every valid docs example of the chosen types (the default when no other source is given)',
  generate: 'send this many generated events (after the examples when those are asked for too)',
  type: 'event types for generate and allExamples: a type, a comma list, an array or all',
  sendSeed: 'seed for generated events, fresh ids and shuffling',
  checkSeed: 'seed for the events the check sends',
  set: 'override these fields in every event ({"data.user.name": null})',
  keepIds: "keep the examples' own ids instead of a fresh msg_ id per event",
  duplicates: 'fault injection: deliver each event this many times with the same webhook-id',
  shuffle: 'fault injection: deliver in shuffled order within a window (true = 20)',
  from: 'the receiver base URL to read GET /events/export from (the CLI also takes a file or -, of export lines or {"webhook_id","body"} lines)',
  token: "the source receiver's API token; without it, the service's RECEIVER_API_TOKEN",
  newIds: 'give each event a fresh msg_ webhook-id instead of its original one',
  speed: 'keep the original gaps divided by this; max: as fast as concurrency and rate allow',
  replayType: 'replay only these event types (a comma list or an array)',
  replayStatus: 'replay only events with these receiver statuses (a comma list or an array)',
  since: 'replay only events received at or after this time',
  until: 'replay only events received before this time',
} as const;
