#!/usr/bin/env node
// `npm run mutation [-- <group>|receiver|all [stryker options]]`: Stryker over each module group in
// turn (scripts/mutationGroups.mjs), incrementally, then the scores. Writes
// reports/mutation/mutation.json (every group's files in one Stryker report), records each run's time
// in reports/mutation/runs.json and regenerates the table in contracts/README.md from the
// incremental reports. Options after the group go to Stryker (e.g. `--mutate
// apps/mock-sender/src/delivery/pool.ts`): the incremental report still holds every mutant of the
// group, the others with their last result. Not part of `npm test`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandGroupName, mutationGroups } from './mutationGroups.mjs';
import { explainSurvivors } from './mutationSurvivors.mjs';
import { tally, writeMutationTable } from './mutationTable.mjs';
import { pnpm } from './pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'reports/mutation');
const name = process.argv[2] ?? 'all';
const groups = expandGroupName(name);
if (groups === undefined) {
  console.error(
    `usage: npm run mutation -- [${[...Object.keys(mutationGroups), 'receiver', 'all'].join('|')}] (got ${name})`,
  );
  process.exit(2);
}
const strykerArgs = process.argv.slice(3);
// Only --mutate narrows a run to some of the group's code; other options (--concurrency) do not.
const narrowed = strykerArgs.some((arg) => arg === '--mutate' || arg === '-m' || arg.startsWith('--mutate='));
process.env.DATABASE_URL_TEST ??= 'postgres://postgres@127.0.0.1:5432/test';

const runsFile = join(reports, 'runs.json');
const runs = existsSync(runsFile) ? JSON.parse(readFileSync(runsFile, 'utf8')) : {};
for (const [index, group] of groups.entries()) {
  console.log(`\n== mutation group ${index + 1}/${groups.length}: ${group} ==`);
  const started = Date.now();
  const status = pnpm(['exec', 'stryker', 'run', 'stryker.config.mjs', ...strykerArgs], {
    env: { ...process.env, MUTATION_GROUP: group },
  });
  if (status !== 0) {
    console.error(`Stryker failed on group ${group} (exit ${status}); its files were restored.`);
    process.exit(status);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const report = JSON.parse(readFileSync(join(reports, `mutation-${group}.json`), 'utf8'));
  runs[group] = narrowed ? { seconds, narrowed: true } : { seconds };
  const { score, killed, valid, counts } = tally(report);
  console.log(
    `mutation score (${group}): ${score.toFixed(1)} % (${killed} of ${valid}) in ${seconds} s ${JSON.stringify(counts)}`,
  );
}

// One report over every group's mutants (their latest results), as Stryker's schema allows (files
// keyed by path).
const merged = { schemaVersion: '2', thresholds: { high: 90, low: 80 }, files: {} };
for (const group of Object.keys(mutationGroups)) {
  const file = join(reports, `incremental-${group}.json`);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  merged.schemaVersion = report.schemaVersion;
  Object.assign(merged.files, report.files);
}
writeFileSync(join(reports, 'mutation.json'), `${JSON.stringify(merged)}\n`);
const total = tally(merged);
console.log(
  `\nmutation score (every group's latest results): ${total.score.toFixed(1)} % (${total.killed} of ${total.valid})`,
);

for (const group of groups) {
  const { survivors, stale } = explainSurvivors(group);
  const unexplained = survivors.filter((m) => m.explanation === undefined).length;
  if (unexplained + stale.length > 0) {
    console.log(
      `${group}: ${unexplained} surviving mutants without an explanation, ${stale.length} explanations without a survivor: ` +
        `see node scripts/mutationSurvivors.mjs ${group} --unexplained`,
    );
  }
}

writeFileSync(runsFile, `${JSON.stringify(runs, null, 2)}\n`);
writeMutationTable(root);
