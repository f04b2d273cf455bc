// Import time of @webhook-contracts/schema (the built package, in a fresh Node process each time)
// against importing only its dependencies (TypeBox, Ajv, ajv-formats). The catalog defines ~200
// schemas at import; validators are compiled per type on first use, so the package should cost
// little more than its dependencies. Lower is better; target: at most 2x.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

// Run from the schema package, where its dependencies resolve and the package imports itself by name.
const schemaDir = fileURLToPath(new URL('../packages/schema/', import.meta.url));

function importMs(specifiers: string[]): number {
  const script = [
    'const t = performance.now();',
    ...specifiers.map((s) => `await import(${JSON.stringify(s)});`),
    'process.stdout.write(String(performance.now() - t));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: schemaDir,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`bench: importing ${specifiers.join(', ')} failed: ${run.stderr}`);
  return Number(run.stdout);
}

/** Median import time of the schema package vs its dependencies alone, alternating fresh processes. */
export async function benchImportTime(opts: BenchOptions = {}): Promise<BenchResult> {
  const rounds = opts.rounds ?? (opts.quick ? 5 : 15);
  const deps = ['@sinclair/typebox', 'ajv', 'ajv-formats'];
  const ours: number[] = [];
  const baseline: number[] = [];
  importMs(['@webhook-contracts/schema']); // warm the file cache
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      ours.push(importMs(['@webhook-contracts/schema']));
      baseline.push(importMs(deps));
    } else {
      baseline.push(importMs(deps));
      ours.push(importMs(['@webhook-contracts/schema']));
    }
  }
  return {
    name: 'schema-import',
    ours: Math.round(median(ours) * 10) / 10,
    baseline: Math.round(median(baseline) * 10) / 10,
    unit: 'ms',
    better: 'lower',
    target: 2,
    details: { rounds, ours, baseline, dependencies: deps },
  };
}
