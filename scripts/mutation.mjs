#!/usr/bin/env node
// `npm run mutation [-- webhooks|receiver|sender [stryker options]]`: Stryker over one module group
// (default: all of them), then the score from reports/mutation/mutation.json. Options after the group
// go to Stryker (e.g. `--mutate apps/mock-sender/src/delivery/pool.ts` for one file). Not part of
// `npm test`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpm } from './pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const groups = ['webhooks', 'receiver', 'sender', 'all'];
const group = process.argv[2] ?? 'all';
if (!groups.includes(group)) {
  console.error(`usage: npm run mutation -- [${groups.join('|')}] (got ${group})`);
  process.exit(2);
}
process.env.DATABASE_URL_TEST ??= 'postgres://postgres@127.0.0.1:5432/test';

const status = pnpm(['exec', 'stryker', 'run', 'stryker.config.mjs', ...process.argv.slice(3)], {
  env: { ...process.env, MUTATION_GROUP: group },
});
if (status !== 0) process.exit(status);

const report = JSON.parse(readFileSync(join(root, 'reports/mutation/mutation.json'), 'utf8'));
const counts = {};
for (const file of Object.values(report.files)) {
  for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
}
const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
const score = valid === 0 ? 0 : (100 * detected) / valid;
console.log(
  `mutation score (${group}): ${score.toFixed(1)} % — ${detected} of ${valid} mutants killed ` +
    `(${JSON.stringify(counts)})`,
);
