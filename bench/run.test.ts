import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './support/args.js';
import { ROOT } from './support/processes.js';
import { cpuRatio, passes, ratio, table } from './support/report.js';
import { FIGURES_FILE, figuresPage, readResults, renderResults } from './support/resultsTable.js';
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

  it('passes a row with a CPU target only when its CPU per request is within it too', () => {
    const cpu = { oursUs: 100, baselineUs: 80, target: 1.25 };
    expect(cpuRatio({ ...throughput, cpu })).toBe(1.25);
    expect(passes({ ...throughput, cpu })).toBe(true);
    expect(passes({ ...throughput, cpu: { ...cpu, oursUs: 101 } })).toBe(false);
    // The rate still has to meet its own target.
    expect(passes({ ...throughput, ours: 7900, cpu })).toBe(false);
    // A CPU figure without a target (or without a baseline) is reported, never judged.
    expect(passes({ ...throughput, cpu: { oursUs: 500, baselineUs: 80 } })).toBe(true);
    expect(cpuRatio({ ...throughput, cpu: { oursUs: 500 } })).toBeUndefined();
    expect(passes({ ...throughput, cpu: { oursUs: 500, target: 1.25 } })).toBe(true);
  });

  it('prints one row per result with the ratio, the target direction, CPU per request and NO for a miss', () => {
    const lines = table([
      { ...throughput, cpu: { oursUs: 130.4, baselineUs: 80, target: 1.25 } },
      memory,
      { ...throughput, name: 'sender', cpu: { oursUs: 42 } },
    ]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^ingest\s+8,000 req\/s\s+10,000 req\/s\s+0\.80x\s+>= 0\.8x\s+130 \/ 80 µs\s+1\.63x \(<= 1\.25x\)\s+NO/,
    );
    expect(lines[2]).toMatch(/^rss\s+180 MB\s+150 MB\s+1\.20x\s+<= 1x\s+NO/);
    expect(lines[3]).toMatch(/^sender\s+8,000 req\/s\s+10,000 req\/s\s+0\.80x\s+>= 0\.8x\s+42 µs\s+yes/);
  });

  it('renders the figures table with the CPU columns from results.json', () => {
    const rendered = renderResults({
      date: '2026-12-01T17:00:45.918Z',
      node: 'v20',
      cpu: 'CPU',
      cores: 2,
      memoryGb: 4,
      quick: false,
      results: [
        {
          ...throughput,
          cpu: { oursUs: 90, baselineUs: 80, target: 1.25 },
          ratio: 0.8,
          cpuRatio: 1.13,
          pass: true,
        },
        { ...memory, ratio: 1.2, pass: false },
      ],
    });
    const rows = rendered.split('\n').slice(2);
    expect(rows[0]).toMatch(/^\| benchmark \| .* \| CPU \/ request \| CPU ratio +\| met +\|$/);
    expect(rows[2]).toMatch(
      /^\| ingest +\| 8,000 req\/s \| .* \| 90 \/ 80 µs +\| 1\.13x \(≤ 1\.25x\) \| yes +\|$/,
    );
    expect(rows[3]).toMatch(/^\| rss +\| 180 MB .* \| +\| +\| \*\*no\*\* \|$/);
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
        ['verify', 'ops/s', 'higher', 4],
        ['verify lesson', 'ops/s', 'higher', 4],
      ]);
      expect(report.results[0]!.ours).toBeGreaterThan(0);
      expect(report.results[0]!.baseline).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 130_000);
});

describe('docs/reference/bench-figures.md', () => {
  it('is the page rendered from bench/results.json (npm run generate or a full npm run bench rewrites it)', () => {
    const report = readResults();
    expect(readFileSync(FIGURES_FILE, 'utf8') === figuresPage(report), 'run `npm run generate`').toBe(true);
    expect(figuresPage(report)).toContain(renderResults(report));
  });
});
