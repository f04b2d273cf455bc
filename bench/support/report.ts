// How results are judged and printed: the ratio against the baseline, pass or miss, the table.
import type { BenchResult } from './types.js';

export function ratio(r: BenchResult): number {
  return Math.round((r.ours / r.baseline) * 100) / 100;
}

export function passes(r: BenchResult): boolean {
  return r.better === 'higher' ? ratio(r) >= r.target : ratio(r) <= r.target;
}

export function table(results: readonly BenchResult[]): string {
  const rows = [
    ['name', 'ours', 'baseline / limit', 'ratio', 'target', 'pass'],
    ...results.map((r) => [
      r.name,
      `${r.ours.toLocaleString('en-US')} ${r.unit}`,
      `${r.baseline.toLocaleString('en-US')} ${r.unit}`,
      `${ratio(r).toFixed(2)}x`,
      `${r.better === 'higher' ? '>=' : '<='} ${r.target}x`,
      passes(r) ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}
