#!/usr/bin/env node
// The root npm scripts: each one sets up what it needs (pinned pnpm, install, build) and then
// does its work, so a fresh clone with only Node and npm can run `npm test` or `npm run demo`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpm } from './pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [task, ...rest] = process.argv.slice(2);

function step(title, args, env) {
  console.log(`\n> ${title}`);
  const status = pnpm(args, env ? { env } : {});
  if (status !== 0) {
    console.error(`\n${title} failed (exit ${status}).`);
    process.exit(status);
  }
}

function install() {
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  step('install dependencies', ['install', ...frozen, '--reporter=append-only']);
}

function build() {
  step('build packages and apps', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
}

const tasks = {
  build() {
    install();
    build();
  },
  typecheck() {
    install();
    build();
    step('typecheck', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']);
  },
  pack() {
    install();
    build();
    step('pack', ['exec', 'node', 'scripts/pack.mjs', ...rest]);
  },
  test() {
    install();
    build();
    step('typecheck', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']);
    step('lint', ['exec', 'biome', 'ci', '.']);
    step('tests', ['exec', 'vitest', 'run', ...rest]);
  },
  contracts() {
    install();
    build();
    step('contract tests', ['exec', 'vitest', 'run', '--project', 'contracts', ...rest]);
  },
  reliability() {
    install();
    build();
    const args = rest.filter((a) => a !== '--full');
    step('reliability suite', ['exec', 'vitest', 'run', '--project', 'reliability', ...args], {
      RELIABILITY_FULL: rest.includes('--full') ? '1' : (process.env.RELIABILITY_FULL ?? ''),
    });
  },
  screenshots() {
    install();
    build();
    step('inspector screenshots (docs/screenshots)', ['exec', 'vitest', 'run', '--project', 'browser'], {
      INSPECTOR_SCREENSHOTS: '1',
    });
  },
  demo() {
    install();
    build();
    step('demo', ['exec', 'node', 'scripts/demo.mjs', ...rest]);
  },
  bench() {
    install();
    build();
    step('benchmarks', ['exec', 'tsx', 'bench/run.ts', ...rest]);
  },
};

const run = tasks[task];
if (!run) {
  console.error(`unknown task "${task}": expected one of ${Object.keys(tasks).join(', ')}`);
  process.exit(2);
}
run();
