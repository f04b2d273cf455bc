// The one place benchmark figures are written for people: a markdown table rendered from
// bench/results.json into bench/README.md between markers. `npm run bench` refreshes it after a
// full run; a test fails when the README and results.json disagree. Other READMEs link here.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';
import { cpuCell, cpuRatioCell } from './report.js';
import type { BenchResult } from './types.js';

export const RESULTS_FILE = join(ROOT, 'bench/results.json');
export const README_FILE = join(ROOT, 'bench/README.md');
const START = '<!-- results:start (generated from results.json by npm run bench; do not edit) -->';
const END = '<!-- results:end -->';

export interface ResultsReport {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  quick: boolean;
  results: Array<BenchResult & { ratio: number; cpuRatio?: number; pass: boolean }>;
}

const figure = (value: number, unit: string) => `${value.toLocaleString('en-US')} ${unit}`;

/** The table (and the line naming the run it comes from) for a results.json report. */
export function renderResults(report: ResultsReport): string {
  const header = [
    'benchmark',
    'ours',
    'baseline / limit',
    'ratio',
    'target',
    'CPU / request',
    'CPU ratio',
    'met',
  ];
  const rows = report.results.map((r) => {
    const limit = r.better === 'lower';
    return [
      r.name,
      figure(r.ours, r.unit),
      `${limit ? 'limit ' : ''}${figure(r.baseline, r.unit)}`,
      `${r.ratio.toFixed(2)}x`,
      `${limit ? '≤' : '≥'} ${r.target}x`,
      cpuCell(r),
      cpuRatioCell(r, '≤'),
      r.pass ? 'yes' : '**no**',
    ];
  });
  // Padded as the repository's markdown formatter writes tables, so formatting leaves it alone.
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, col) => c.padEnd(widths[col]!)).join(' | ')} |`;
  return [
    `Run of ${report.date.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (--quick)' : ''}: Node ${report.node}, ${report.cores} × ${report.cpu}, ${report.memoryGb} GB.`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

/** The README with its generated block replaced by `table`. */
export function withResults(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`bench/README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

export function readResults(file = RESULTS_FILE): ResultsReport {
  return JSON.parse(readFileSync(file, 'utf8')) as ResultsReport;
}

/** Rewrites the README's table from results.json. */
export function refreshReadme(): void {
  const readme = readFileSync(README_FILE, 'utf8');
  writeFileSync(README_FILE, withResults(readme, renderResults(readResults())));
}
