// `npm run generate:examples` (in contracts/): writes one realistic valid example per catalog type
// (contracts/examples/<type>/valid.example.json, from the mock sender's seeded generator) and the
// invalid variants of the payment, membership and refund events with their expected pointers.
// The lesson-progress examples are hand-curated and left alone. Run it deliberately: the files
// are fixtures the compatibility gate holds the schema to, not a mirror of the generator.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalogEvents } from '@webhook-contracts/mock-sender';
import { knownEventTypes } from '@webhook-contracts/schema';
import { examplesDir } from './exampleFiles.js';

type Json = Record<string, unknown>;

interface Variant {
  file: string;
  pointers: string[];
  mutate: (event: Json & { data: Json }) => void;
}

const set =
  (key: string, value: unknown) =>
  (event: Json & { data: Json }): void => {
    event.data[key] = value;
  };
const drop =
  (key: string) =>
  (event: Json & { data: Json }): void => {
    delete event.data[key];
  };

const variants: Record<string, Variant[]> = {
  payment: [
    {
      file: 'invalid.status-not-a-receipt-status.json',
      pointers: ['/data/status'],
      mutate: set('status', 'settled'),
    },
    {
      file: 'invalid.missing-currency.json',
      pointers: ['/data/currency'],
      mutate: drop('currency'),
    },
    {
      file: 'invalid.total-is-a-string.json',
      pointers: ['/data/total'],
      mutate: set('total', '19.99'),
    },
  ],
  membership: [
    {
      file: 'invalid.status-unknown.json',
      pointers: ['/data/status'],
      mutate: set('status', 'paused'),
    },
    {
      file: 'invalid.cancel-at-period-end-is-a-string.json',
      pointers: ['/data/cancel_at_period_end'],
      mutate: set('cancel_at_period_end', 'false'),
    },
    {
      file: 'invalid.created-at-not-a-date-time.json',
      pointers: ['/data/created_at'],
      mutate: set('created_at', '1740819600'),
    },
  ],
  refund: [
    {
      file: 'invalid.amount-is-a-string.json',
      pointers: ['/data/amount'],
      mutate: set('amount', '12.50'),
    },
    {
      file: 'invalid.payment-is-an-id.json',
      pointers: ['/data/payment'],
      mutate: set('payment', 'pay_xxxxxxxxxxxxxx'),
    },
    {
      file: 'invalid.missing-status.json',
      pointers: ['/data/status'],
      mutate: drop('status'),
    },
  ],
};

const write = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

for (const type of knownEventTypes) {
  if (type === 'course_lesson_interaction.completed') continue;
  // Events earlier in the run give the example's linked objects (a refund's payment, …).
  const run = [
    ...generateCatalogEvents({
      seed: `example:${type}`,
      count: 2 * knownEventTypes.length,
      types: [...knownEventTypes],
    }),
  ];
  const event = run.filter((e) => e.type === type).at(-1) as unknown as Json & { data: Json };
  const folder = join(examplesDir, type);
  mkdirSync(folder, { recursive: true });
  write(join(folder, 'valid.example.json'), event);
  const resource = type.split('.')[0]!;
  const expectations: Record<string, string[]> = {};
  for (const variant of variants[resource] ?? []) {
    const copy = structuredClone(event);
    variant.mutate(copy);
    write(join(folder, variant.file), copy);
    expectations[variant.file] = variant.pointers;
  }
  write(join(folder, 'expectations.json'), expectations);
  console.log(`wrote contracts/examples/${type}/`);
}
