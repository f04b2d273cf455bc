#!/usr/bin/env node
// The mutants that no test kills, read from each group's incremental report
// (reports/mutation/incremental-<group>.json), against the written explanations in
// reports/mutation/survivors/<group>[.<part>].json: one entry per surviving mutant saying why no test can
// (`equivalent: true`: the mutated code behaves the same) or why none does (`equivalent: false`).
//
//   node scripts/mutationSurvivors.mjs [group ...] [--unexplained] [--template]
//
// prints each survivor with its code and explanation; `--unexplained` only those without one, and
// the exit code is 1 when any is unexplained or any explanation matches no survivor; `--template`
// prints the unexplained ones as entries to fill in (`equivalent`, `why`) and add to the file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutationGroups } from './mutationGroups.mjs';

const reports = join(dirname(fileURLToPath(import.meta.url)), '../reports/mutation');

/** Identifies a mutant across runs of unchanged code: where it is, what it does. */
export function mutantKey({ file, line, column, mutator, replacement }) {
  return `${file}:${line}:${column} ${mutator} → ${replacement}`;
}

/** The code a mutant replaces, on one line (a multi-line span is cut at its first line). */
function originalCode(source, { start, end }) {
  const first = source.split('\n')[start.line - 1] ?? '';
  const code = first.slice(start.column - 1, start.line === end.line ? end.column - 1 : undefined);
  return start.line === end.line ? code : `${code} …`;
}

/** Survived and NoCoverage mutants of a group's last incremental run. */
export function survivors(group) {
  const path = join(reports, `incremental-${group}.json`);
  if (!existsSync(path)) return [];
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const found = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
      found.push({
        file,
        line: mutant.location.start.line,
        column: mutant.location.start.column,
        mutator: mutant.mutatorName,
        replacement: mutant.replacement,
        status: mutant.status,
        code: originalCode(source, mutant.location),
      });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/**
 * A group's written explanations: `survivors/<group>.json` and any `survivors/<group>.<part>.json`
 * (so a group's files can be explained in separate files), each an array of
 * { file, line, column, mutator, replacement, equivalent, why }.
 */
export function explanations(group) {
  const folder = join(reports, 'survivors');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name === `${group}.json` || (name.startsWith(`${group}.`) && name.endsWith('.json')))
    .sort()
    .flatMap((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')));
}

/**
 * Survivors paired with their explanation, plus explanations that match no survivor (stale). Two
 * mutants can share a key (`a && b` → `true` and `a` → `true` start at the same column): each
 * takes one of the entries written for that key, in order.
 */
export function explainSurvivors(group) {
  const written = new Map();
  for (const entry of explanations(group)) {
    const key = mutantKey(entry);
    written.set(key, [...(written.get(key) ?? []), entry]);
  }
  const paired = survivors(group).map((mutant) => ({
    ...mutant,
    explanation: written.get(mutantKey(mutant))?.shift(),
  }));
  return { survivors: paired, stale: [...written.values()].flat() };
}

function main(args) {
  const onlyUnexplained = args.includes('--unexplained');
  const named = args.filter((a) => !a.startsWith('--'));
  const unknown = named.filter((g) => !(g in mutationGroups));
  if (unknown.length > 0) {
    console.error(`unknown group ${unknown.join(', ')}: use ${Object.keys(mutationGroups).join(', ')}`);
    return 2;
  }
  const groups = named.length > 0 ? named : Object.keys(mutationGroups);
  if (args.includes('--template')) {
    const entries = groups.flatMap((group) =>
      explainSurvivors(group)
        .survivors.filter((m) => m.explanation === undefined)
        .map(({ file, line, column, mutator, replacement, code }) => ({
          file,
          line,
          column,
          mutator,
          replacement,
          code,
          equivalent: null,
          why: '',
        })),
    );
    console.log(JSON.stringify(entries, null, 2));
    return 0;
  }
  let problems = 0;
  for (const group of groups) {
    const { survivors: found, stale } = explainSurvivors(group);
    const unexplained = found.filter((m) => m.explanation === undefined);
    problems += unexplained.length + stale.length;
    console.log(
      `\n== ${group}: ${found.length} surviving, ${unexplained.length} unexplained, ${stale.length} stale ==`,
    );
    for (const m of onlyUnexplained ? unexplained : found) {
      const what = `${m.file}:${m.line}:${m.column} ${m.mutator} \`${m.code}\` → \`${m.replacement.split('\n')[0]}\``;
      const why = m.explanation
        ? `${m.explanation.equivalent ? 'equivalent' : 'NOT equivalent'}: ${m.explanation.why}`
        : `UNEXPLAINED (${m.status})`;
      console.log(`- ${what}\n    ${why}`);
    }
    for (const entry of stale) console.log(`- STALE explanation (no such survivor now): ${mutantKey(entry)}`);
  }
  return onlyUnexplained && problems > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
