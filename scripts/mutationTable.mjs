// The mutation-score table in contracts/README.md. The counts come from each group's committed
// incremental report (reports/mutation/incremental-<group>.json: Stryker's last result for every
// mutant of the group), the time of the last run from reports/mutation/runs.json (both written by
// `npm run mutation`); a contracts test checks the README shows what they hold.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutationGroups } from './mutationGroups.mjs';

const start = '<!-- mutation:start -->';
const end = '<!-- mutation:end -->';

/** Counts a Stryker report's mutants by status and scores them as Stryker does. */
export function tally(report) {
  const counts = {};
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = killed + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { killed, valid, score: valid === 0 ? 0 : Math.round((1000 * killed) / valid) / 10, counts };
}

/** Each group's figures: the tally of its incremental report, and its last run's time and scope. */
export function groupFigures(root) {
  const reports = join(root, 'reports/mutation');
  const runsFile = join(reports, 'runs.json');
  const runs = existsSync(runsFile) ? JSON.parse(readFileSync(runsFile, 'utf8')) : {};
  const figures = {};
  for (const group of Object.keys(mutationGroups)) {
    const file = join(reports, `incremental-${group}.json`);
    if (!existsSync(file)) continue;
    figures[group] = { ...tally(JSON.parse(readFileSync(file, 'utf8'))), run: runs[group] };
  }
  return figures;
}

export function mutationTable(figures) {
  const header = ['group', 'files', 'score', 'killed / valid', 'survived', 'no coverage', 'last run'];
  const rows = Object.entries(mutationGroups).map(([group, { mutate }]) => {
    const s = figures[group];
    const files = mutate
      .map((glob) => (glob.startsWith('!') ? `not \`${glob.slice(1)}\`` : `\`${glob}\``))
      .join(', ');
    if (s === undefined) return [`\`${group}\``, files, 'not run', '', '', '', ''];
    const run = s.run === undefined ? '' : `${s.run.seconds} s${s.run.narrowed ? ' (narrowed)' : ''}`;
    return [
      `\`${group}\``,
      files,
      `**${s.score.toFixed(1)} %**`,
      `${s.killed} / ${s.valid}`,
      String(s.counts.Survived ?? 0),
      String(s.counts.NoCoverage ?? 0),
      run,
    ];
  });
  // Padded as the repository's markdown formatter writes tables, so formatting leaves it alone.
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
  const line = (cells) => `| ${cells.map((c, col) => c.padEnd(widths[col])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function replaceMutationTable(readme, figures) {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`contracts/README.md lacks the ${start} … ${end} markers`);
  return `${readme.slice(0, from + start.length)}\n${mutationTable(figures)}\n${readme.slice(to)}`;
}

export function writeMutationTable(root) {
  const path = join(root, 'contracts/README.md');
  writeFileSync(path, replaceMutationTable(readFileSync(path, 'utf8'), groupFigures(root)));
}
