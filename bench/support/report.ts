// How results are judged and printed: the ratio against the baseline, the CPU-per-request ratio
// (when measured), pass or miss, the table.
import type { BenchResult } from './types.js';

const round2 = (n: number) => Math.round(n * 100) / 100;

export function ratio(r: BenchResult): number {
  return round2(r.ours / r.baseline);
}

/** Ours / the baseline's CPU per request, or undefined when the row has no such pair. */
export function cpuRatio(r: BenchResult): number | undefined {
  const cpu = r.cpu;
  if (cpu?.baselineUs === undefined || cpu.baselineUs <= 0) return undefined;
  return round2(cpu.oursUs / cpu.baselineUs);
}

/** The figure's target, and the CPU target when the row has one: both must hold. */
export function passes(r: BenchResult): boolean {
  const figure = r.better === 'higher' ? ratio(r) >= r.target : ratio(r) <= r.target;
  const cpu = cpuRatio(r);
  const target = r.cpu?.target;
  return figure && (target === undefined || cpu === undefined || cpu <= target);
}

/** CPU per request as printed: `ours / baseline µs`, or `ours µs` alone. */
export function cpuCell(r: BenchResult): string {
  if (r.cpu === undefined) return '';
  const ours = Math.round(r.cpu.oursUs).toLocaleString('en-US');
  const base = r.cpu.baselineUs;
  return base === undefined ? `${ours} µs` : `${ours} / ${Math.round(base).toLocaleString('en-US')} µs`;
}

/** The CPU ratio as printed, with its target when it has one. */
export function cpuRatioCell(r: BenchResult, atMost = '<='): string {
  const cpu = cpuRatio(r);
  if (cpu === undefined) return '';
  const target = r.cpu?.target;
  return `${cpu.toFixed(2)}x${target === undefined ? '' : ` (${atMost} ${target}x)`}`;
}

export function table(results: readonly BenchResult[]): string {
  const rows = [
    ['name', 'ours', 'baseline / limit', 'ratio', 'target', 'cpu/req ours / base', 'cpu ratio', 'pass'],
    ...results.map((r) => [
      r.name,
      `${r.ours.toLocaleString('en-US')} ${r.unit}`,
      `${r.baseline.toLocaleString('en-US')} ${r.unit}`,
      `${ratio(r).toFixed(2)}x`,
      `${r.better === 'higher' ? '>=' : '<='} ${r.target}x`,
      cpuCell(r),
      cpuRatioCell(r),
      passes(r) ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}
