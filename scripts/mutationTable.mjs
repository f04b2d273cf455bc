// The mutation-score table in contracts/README.md, generated from reports/mutation/scores.json
// (written by `npm run mutation`; a contracts test checks the two agree).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutationGroups } from './mutationGroups.mjs';

const start = '<!-- mutation:start -->';
const end = '<!-- mutation:end -->';

export function mutationTable(scores) {
  const header = ['group', 'files', 'score', 'killed / valid', 'survived', 'no coverage', 'last run'];
  const rows = Object.entries(mutationGroups).map(([group, { mutate }]) => {
    const s = scores[group];
    const files = mutate
      .map((glob) => (glob.startsWith('!') ? `not \`${glob.slice(1)}\`` : `\`${glob}\``))
      .join(', ');
    if (s === undefined) return [`\`${group}\``, files, 'not run', '', '', '', ''];
    return [
      `\`${group}\``,
      files,
      `**${s.score.toFixed(1)} %**`,
      `${s.killed} / ${s.valid}`,
      String(s.counts.Survived ?? 0),
      String(s.counts.NoCoverage ?? 0),
      `${s.seconds} s`,
    ];
  });
  // Padded as the repository's markdown formatter writes tables, so formatting leaves it alone.
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
  const line = (cells) => `| ${cells.map((c, col) => c.padEnd(widths[col])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function replaceMutationTable(readme, scores) {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`contracts/README.md lacks the ${start} … ${end} markers`);
  return `${readme.slice(0, from + start.length)}\n${mutationTable(scores)}\n${readme.slice(to)}`;
}

export function writeMutationTable(root, scores) {
  const path = join(root, 'contracts/README.md');
  writeFileSync(path, replaceMutationTable(readFileSync(path, 'utf8'), scores));
}
