// Formats generated TypeScript with the repository's Biome (its biome.json, imports organised), so
// the committed files read like the rest of the code and `npm run lint` holds them too. The
// generator's output goes through it before it is written or compared, which keeps the drift
// test and `biome ci` in agreement.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `source` as `biome check --write` leaves it; `path` (relative to the repository) picks the rules. */
export function formatTypeScript(path: string, source: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  return execFileSync(process.execPath, [biome, 'check', '--write', `--stdin-file-path=${path}`], {
    cwd: repoRoot,
    input: source,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}
