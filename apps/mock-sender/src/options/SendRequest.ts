// The options of a send run and of a conformance check, described once. The schemas give the
// static types, the one validator (see `requestProblems.ts`) and the options reference page.
// Serve's bounds are the schemas' limits: a shared service must never be asked for unbounded work.
// The CLI and the library may ask for more (a local run bounds only itself), so each schema is also
// built without its upper bounds, from the same definition.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ANSWER_STATUSES } from '../sending/transport/answerStatus.js';
import { fieldDescriptions as D } from './fieldDescriptions.js';

/** The bounds of the serve API's numeric and list fields (inclusive). */
export const REQUEST_LIMITS = {
  generate: { min: 1, max: 100_000 },
  concurrency: { min: 1, max: 256 },
  duplicates: { min: 1, max: 100 },
  /** Deliveries in one run: (examples + generate) × duplicates. */
  deliveries: { max: 100_000 },
  shuffle: { min: 2, max: 10_000 },
  rate: { min: 0.001, max: 10_000 },
  timeoutMs: { min: 1, max: 120_000 },
  retrySchedule: { maxLength: 10, maxSeconds: 3600 },
  maxRetryAfterSeconds: { min: 0, max: 3600 },
  example: { maxLength: 100 },
  set: { maxEntries: 100, maxPathLength: 256 },
  /** Every string is bounded too: a value that ends up in an answer or a log is never large. */
  url: { maxLength: 2048 },
  secret: { maxLength: 4096, maxEntries: 10 },
  token: { maxLength: 4096 },
  seed: { maxLength: 256 },
  /** An example name, an event type or a status, alone or in a list. */
  name: { maxLength: 200 },
  /** A comma list of names in one string. */
  names: { maxLength: 4096 },
  instant: { maxLength: 64 },
  /** What one replay may read from its source (its time is serve's SENDER_MAX_RUN_SECONDS). */
  replay: { maxLines: 100_000, maxBytes: 512 * 1024 * 1024 },
} as const;

/** Serve's bounds, or only what makes a value meaningful at all (CLI and library). */
export type Bounds = 'serve' | 'open';

/** Annotations read by the validator's messages and by the options reference page. */
interface Notes {
  /** What a value of the wrong type is told, after the field's name. */
  expected: string;
  description: string;
  /** Default, as the reference page states it. */
  byDefault?: string;
}

const notes = (n: Notes) => ({
  expected: n.expected,
  description: n.description,
  ...(n.byDefault === undefined ? {} : { byDefault: n.byDefault }),
});

function upTo<T extends object>(bounds: Bounds, limit: T): T | Record<string, never> {
  return bounds === 'serve' ? limit : {};
}

const secretField = (bounds: Bounds) =>
  Type.Optional(
    Type.Union(
      [
        Type.String(upTo(bounds, { maxLength: REQUEST_LIMITS.secret.maxLength })),
        Type.Array(Type.String(upTo(bounds, { maxLength: REQUEST_LIMITS.secret.maxLength })), {
          minItems: 1,
          ...upTo(bounds, { maxItems: REQUEST_LIMITS.secret.maxEntries }),
        }),
      ],
      {
        ...notes({
          expected: 'must be a string or a non-empty array of strings',
          description: D.secret,
        }),
      },
    ),
  );

const seedField = (bounds: Bounds, description: string) =>
  Type.Optional(
    Type.Union([Type.String(upTo(bounds, { maxLength: REQUEST_LIMITS.seed.maxLength })), Type.Integer()], {
      ...notes({ expected: 'must be a string or an integer', description, byDefault: 'random' }),
    }),
  );

const waitField = () =>
  Type.Optional(
    Type.Boolean({
      ...notes({
        expected: 'must be a boolean',
        description: D.wait,
        byDefault: 'true',
      }),
    }),
  );

const toField = (bounds: Bounds) =>
  Type.String({
    ...upTo(bounds, { maxLength: REQUEST_LIMITS.url.maxLength }),
    ...notes({
      expected: 'must be a string',
      description: D.to,
    }),
  });

const timeoutField = (bounds: Bounds, byDefault: string) =>
  Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      ...upTo(bounds, { minimum: REQUEST_LIMITS.timeoutMs.min, maximum: REQUEST_LIMITS.timeoutMs.max }),
      ...notes({
        expected: 'must be a number',
        description: D.timeoutMs,
        byDefault,
      }),
    }),
  );

/** How a run delivers: shared by send and replay. */
function runFields(bounds: Bounds) {
  const L = REQUEST_LIMITS;
  return {
    concurrency: Type.Optional(
      Type.Integer({
        minimum: L.concurrency.min,
        ...upTo(bounds, { maximum: L.concurrency.max }),
        ...notes({
          expected: 'must be an integer',
          description: D.concurrency,
          byDefault: '10',
        }),
      }),
    ),
    rate: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        ...upTo(bounds, { minimum: L.rate.min, maximum: L.rate.max }),
        ...notes({
          expected: 'must be a number',
          description: D.rate,
        }),
      }),
    ),
    timeoutMs: timeoutField(bounds, '15000'),
    retrySchedule: Type.Optional(
      Type.Array(Type.Number({ minimum: 0, ...upTo(bounds, { maximum: L.retrySchedule.maxSeconds }) }), {
        ...upTo(bounds, { maxItems: L.retrySchedule.maxLength }),
        ...notes({
          expected: 'must be an array of numbers (seconds)',
          description: D.retrySchedule,
          byDefault: '[10, 20, 40]',
        }),
      }),
    ),
    maxRetryAfterSeconds: Type.Optional(
      Type.Number({
        minimum: L.maxRetryAfterSeconds.min,
        ...upTo(bounds, { maximum: L.maxRetryAfterSeconds.max }),
        ...notes({
          expected: 'must be a number',
          description: D.maxRetryAfterSeconds,
          byDefault: '300',
        }),
      }),
    ),
    failOn: Type.Optional(
      Type.Array(Type.Union(ANSWER_STATUSES.map((status) => Type.Literal(status))), {
        maxItems: ANSWER_STATUSES.length,
        ...notes({
          expected: `must be an array of ${ANSWER_STATUSES.join(', ')}`,
          description: D.failOn,
        }),
      }),
    ),
  };
}

/** The fields of a send run, as `POST /send` takes them (the CLI's flags map onto them one to one). */
export function sendRequestSchema(bounds: Bounds) {
  const L = REQUEST_LIMITS;
  return Type.Object(
    {
      to: toField(bounds),
      secret: secretField(bounds),
      example: Type.Optional(
        Type.Union(
          [
            Type.String(upTo(bounds, { maxLength: L.name.maxLength })),
            Type.Array(Type.String(upTo(bounds, { maxLength: L.name.maxLength })), {
              minItems: 1,
              ...upTo(bounds, { maxItems: L.example.maxLength }),
            }),
          ],
          notes({
            expected: 'must be a string or a non-empty array of strings',
            description: D.example,
          }),
        ),
      ),
      allExamples: Type.Optional(
        Type.Boolean(
          notes({
            expected: 'must be a boolean',
            description: D.allExamples,
          }),
        ),
      ),
      generate: Type.Optional(
        Type.Integer({
          minimum: L.generate.min,
          ...upTo(bounds, { maximum: L.generate.max }),
          ...notes({
            expected: 'must be an integer',
            description: D.generate,
          }),
        }),
      ),
      type: Type.Optional(
        Type.Union(
          [
            Type.String(upTo(bounds, { maxLength: L.names.maxLength })),
            Type.Array(Type.String(upTo(bounds, { maxLength: L.name.maxLength })), {
              minItems: 1,
              ...upTo(bounds, { maxItems: L.example.maxLength }),
            }),
          ],
          notes({
            expected: 'must be a string or a non-empty array of strings',
            description: D.type,
            byDefault: 'every type for the examples, course_lesson_interaction.completed for generate',
          }),
        ),
      ),
      seed: seedField(bounds, D.sendSeed),
      set: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), {
          ...upTo(bounds, { maxProperties: L.set.maxEntries }),
          ...notes({
            expected: 'must be an object of "dotted.path": value',
            description: D.set,
          }),
        }),
      ),
      keepIds: Type.Optional(
        Type.Boolean(
          notes({
            expected: 'must be a boolean',
            description: D.keepIds,
            byDefault: 'false',
          }),
        ),
      ),
      ...runFields(bounds),
      duplicates: Type.Optional(
        Type.Integer({
          minimum: L.duplicates.min,
          ...upTo(bounds, { maximum: L.duplicates.max }),
          ...notes({
            expected: 'must be an integer',
            description: D.duplicates,
            byDefault: '1',
          }),
        }),
      ),
      shuffle: Type.Optional(
        Type.Union(
          [
            Type.Boolean(),
            Type.Integer({ minimum: L.shuffle.min, ...upTo(bounds, { maximum: L.shuffle.max }) }),
          ],
          notes({
            expected: `must be true or a window from ${L.shuffle.min}${bounds === 'serve' ? ` to ${L.shuffle.max}` : ' up'}`,
            description: D.shuffle,
          }),
        ),
      ),
      wait: waitField(),
    },
    { additionalProperties: false },
  );
}

/** The fields of a conformance check, as `POST /check` takes them. */
export function checkRequestSchema(bounds: Bounds) {
  return Type.Object(
    {
      to: toField(bounds),
      secret: secretField(bounds),
      timeoutMs: timeoutField(bounds, '10000'),
      seed: seedField(bounds, D.checkSeed),
      wait: waitField(),
    },
    { additionalProperties: false },
  );
}

const names = (bounds: Bounds, description: string) =>
  Type.Optional(
    Type.Union(
      [
        Type.String(upTo(bounds, { maxLength: REQUEST_LIMITS.names.maxLength })),
        Type.Array(Type.String(upTo(bounds, { maxLength: REQUEST_LIMITS.name.maxLength })), {
          minItems: 1,
          maxItems: 100,
        }),
      ],
      {
        ...notes({ expected: 'must be a string or a non-empty array of strings', description }),
      },
    ),
  );

const instant = (bounds: Bounds, description: string) =>
  Type.Optional(
    Type.String({
      ...upTo(bounds, { maxLength: REQUEST_LIMITS.instant.maxLength }),
      ...notes({ expected: 'must be an ISO 8601 date-time string', description }),
    }),
  );

/** The fields of a replay, as `POST /replay` takes them. */
export function replayRequestSchema(bounds: Bounds) {
  return Type.Object(
    {
      from: Type.String({
        ...upTo(bounds, { maxLength: REQUEST_LIMITS.url.maxLength }),
        ...notes({
          expected: 'must be a string',
          description: D.from,
        }),
      }),
      to: toField(bounds),
      secret: secretField(bounds),
      token: Type.Optional(
        Type.String({
          ...upTo(bounds, { maxLength: REQUEST_LIMITS.token.maxLength }),
          ...notes({
            expected: 'must be a string',
            description: D.token,
          }),
        }),
      ),
      newIds: Type.Optional(
        Type.Boolean({
          ...notes({
            expected: 'must be a boolean',
            description: D.newIds,
            byDefault: 'false',
          }),
        }),
      ),
      speed: Type.Optional(
        Type.Union(
          [
            Type.Literal('max'),
            Type.Number({ exclusiveMinimum: 0, ...upTo(bounds, { maximum: 1_000_000 }) }),
          ],
          {
            ...notes({
              expected: 'must be "max" or a positive number',
              description: D.speed,
              byDefault: 'max',
            }),
          },
        ),
      ),
      type: names(bounds, D.replayType),
      status: names(bounds, D.replayStatus),
      since: instant(bounds, D.since),
      until: instant(bounds, D.until),
      ...runFields(bounds),
      wait: waitField(),
    },
    { additionalProperties: false },
  );
}

export const SendRequest = sendRequestSchema('serve');
export type SendRequest = Static<typeof SendRequest>;
export const CheckRequest = checkRequestSchema('serve');
export type CheckRequest = Static<typeof CheckRequest>;
export const ReplayRequest = replayRequestSchema('serve');
export type ReplayRequest = Static<typeof ReplayRequest>;

/** The annotations of one field, for messages and docs. */
export function fieldNotes(schema: TSchema): Notes {
  const byDefault = schema['byDefault'] as string | undefined;
  return {
    expected: String(schema['expected']),
    description: String(schema['description']),
    ...(byDefault === undefined ? {} : { byDefault }),
  };
}
