#!/usr/bin/env node
// Runs the pinned pnpm (the root package.json's `packageManager`) with the given arguments.
// A fresh machine has only Node and npm: when no matching pnpm is on PATH, npm fetches the
// pinned version once into its cache (`npm exec`), so `npm test` and `npm run demo` need no
// global install.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const version = String(pinned).replace(/^pnpm@/, '');

export function pnpmCommand() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (found.status === 0 && found.stdout.trim() === version) return ['pnpm', []];
  return ['npm', ['exec', '--yes', `--package=pnpm@${version}`, '--', 'pnpm']];
}

/**
 * Runs pnpm with `args` in the repository root; returns its exit status. `quiet: true` drops its
 * standard output (errors still reach stderr).
 */
export function pnpm(args, options = {}) {
  const [cmd, prefix] = pnpmCommand();
  const env = { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...process.env, ...options.env };
  const res = spawnSync(cmd, [...prefix, ...args], {
    cwd: root,
    stdio: options.quiet === true ? ['inherit', 'ignore', 'inherit'] : 'inherit',
    env,
    shell: process.platform === 'win32',
  });
  if (res.error) {
    console.error(`could not run pnpm: ${res.error.message}`);
    return 1;
  }
  return res.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(pnpm(process.argv.slice(2)));
}
