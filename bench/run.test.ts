import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './support/args.js';
import { ROOT } from './support/processes.js';
import { passes, ratio, table } from './support/report.js';
import { README_FILE, readResults, renderResults, withResults } from './support/resultsTable.js';
import type { BenchResult } from './support/types.js';

const names = ['ingest', 'verify', 'sender', 'receiver-postgres', 'schema-import'];

const throughput: BenchResult = {
  name: 'ingest',
  ours: 8000,
  baseline: 10000,
  unit: 'req/s',
  better: 'higher',
  target: 0.8,
};
const memory: BenchResult = {
  name: 'rss',
  ours: 180,
  baseline: 150,
  unit: 'MB',
  better: 'lower',
  target: 1,
};

describe('bench/run', () => {
  it('reads --quick, --only, --rounds and --seconds', () => {
    expect(
      parseArgs(['--', '--quick', '--only', 'ingest,sender', '--rounds', '2', '--seconds', '1.5'], names),
    ).toEqual({
      only: ['ingest', 'sender'],
      quick: true,
      rounds: 2,
      seconds: 1.5,
    });
  });

  it('rejects an unknown benchmark name and an unknown flag', () => {
    expect(() => parseArgs(['--only', 'nope'], names)).toThrow(
      'unknown benchmark nope: expected one of ingest, verify, sender, receiver-postgres, schema-import',
    );
    expect(() => parseArgs(['--fast'], names)).toThrow(/unknown argument --fast/);
  });

  it('passes a throughput at its target ratio and a memory figure only under its limit', () => {
    expect(ratio(throughput)).toBe(0.8);
    expect(passes(throughput)).toBe(true);
    expect(passes({ ...throughput, ours: 7900 })).toBe(false);
    expect(ratio(memory)).toBe(1.2);
    expect(passes(memory)).toBe(false);
    expect(passes({ ...memory, ours: 120 })).toBe(true);
  });

  it('prints one row per result with the ratio, the target direction and NO for a miss', () => {
    const lines = table([throughput, memory]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ingest\s+8,000 req\/s\s+10,000 req\/s\s+0\.80x\s+>= 0\.8x\s+yes/);
    expect(lines[2]).toMatch(/^rss\s+180 MB\s+150 MB\s+1\.20x\s+<= 1x\s+NO/);
  });

  // A smoke run of the real command (not timed): it must finish and write well-formed results.
  it('runs `--quick --only verify` end to end and writes results.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    try {
      const out = join(dir, 'results.json');
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', 'verify', '--out', out],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain('[bench] running verify (quick)');
      expect(run.stdout).toMatch(/^verify\s/m);
      const report = JSON.parse(readFileSync(out, 'utf8')) as { quick: boolean; results: BenchResult[] };
      expect(report.quick).toBe(true);
      expect(report.results.map((r) => [r.name, r.unit, r.better, r.target])).toEqual([
        ['verify', 'ops/s', 'higher', 3],
      ]);
      expect(report.results[0]!.ours).toBeGreaterThan(0);
      expect(report.results[0]!.baseline).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 130_000);
});

describe('bench/README.md figures', () => {
  it('are the table rendered from bench/results.json (npm run bench refreshes them)', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(readme).toBe(withResults(readme, renderResults(readResults())));
  });
});
