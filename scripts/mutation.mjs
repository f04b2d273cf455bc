#!/usr/bin/env node
// `npm run mutation [-- <group>|receiver|all [stryker options]]`: Stryker over each module group in
// turn (scripts/mutationGroups.mjs), incrementally, then the scores. Writes
// reports/mutation/mutation.json (every group's files in one Stryker report), records each group's
// figures in reports/mutation/scores.json and regenerates the table in contracts/README.md.
// Options after the group go to Stryker (e.g. `--mutate apps/mock-sender/src/delivery/pool.ts`).
// Not part of `npm test`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandGroupName, mutationGroups } from './mutationGroups.mjs';
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
// Only --mutate narrows a run to part of a group; other options (--concurrency 1) leave it whole.
const narrowed = strykerArgs.some((arg) => arg === '-m' || arg.startsWith('--mutate'));
process.env.DATABASE_URL_TEST ??= 'postgres://postgres@127.0.0.1:5432/test';

/** Counts a Stryker report's mutants by status and scores them as Stryker does. */
function tally(report) {
  const counts = {};
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = killed + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { killed, valid, score: valid === 0 ? 0 : Math.round((1000 * killed) / valid) / 10, counts };
}

const scoresFile = join(reports, 'scores.json');
const scores = existsSync(scoresFile) ? JSON.parse(readFileSync(scoresFile, 'utf8')) : {};
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
  // A run narrowed by --mutate scores a subset: print it, but keep the recorded figures whole-group.
  if (!narrowed) scores[group] = { ...tally(report), seconds };
  const { score, killed, valid, counts } = tally(report);
  console.log(
    `mutation score (${group}): ${score.toFixed(1)} % (${killed} of ${valid}) in ${seconds} s ${JSON.stringify(counts)}`,
  );
}

// One report over every group's latest run, as Stryker's schema allows (files keyed by path).
const merged = { schemaVersion: '2', thresholds: { high: 90, low: 80 }, files: {} };
for (const group of Object.keys(mutationGroups)) {
  const file = join(reports, `mutation-${group}.json`);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  merged.schemaVersion = report.schemaVersion;
  Object.assign(merged.files, report.files);
}
writeFileSync(join(reports, 'mutation.json'), `${JSON.stringify(merged)}\n`);
const total = tally(merged);
console.log(
  `\nmutation score (every group with a report): ${total.score.toFixed(1)} % (${total.killed} of ${total.valid})`,
);

const { explainSurvivors } = await import('./mutationSurvivors.mjs');
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

if (!narrowed) {
  writeFileSync(scoresFile, `${JSON.stringify(scores, null, 2)}\n`);
  const { writeMutationTable } = await import('./mutationTable.mjs');
  writeMutationTable(root, scores);
}
