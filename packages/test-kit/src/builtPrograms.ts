// Where the BUILT programs are (the receiver's `dist/main.js`, the mock sender's `dist/cli.js`),
// and a guard that fails with what to do when one is missing or older than its sources: a test
// would otherwise run yesterday's program.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repoRoot.js';

export const receiverMain = join(repoRoot, 'apps/receiver/dist/main.js');
export const senderCli = join(repoRoot, 'apps/mock-sender/dist/cli.js');

/** The source folders a built program is compiled from: the app and the packages it imports. */
const sourcesOf: Record<string, readonly string[]> = {
  [receiverMain]: ['apps/receiver/src', 'packages/schema/src', 'packages/webhooks/src'].map((f) =>
    join(repoRoot, f),
  ),
  [senderCli]: ['apps/mock-sender/src', 'packages/schema/src', 'packages/webhooks/src'].map((f) =>
    join(repoRoot, f),
  ),
};

/** The newest non-test source file under the folders, or undefined when there is none. */
function newestSource(folders: readonly string[]): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test-support') visit(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const { mtimeMs } = statSync(path);
        if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { file: path, mtimeMs };
      }
    }
  };
  for (const dir of folders) if (existsSync(dir)) visit(dir);
  return newest;
}

const howToBuild = 'run `./node_modules/.bin/turbo run build` (or `npm run contracts`, which builds first)';

/**
 * Throws a message saying how to build when a program's dist file is missing, or is older than a
 * source file it is built from.
 *
 * @example
 * beforeAll(() => requireBuilt([receiverMain]));
 */
export function requireBuilt(files: readonly string[] = [receiverMain, senderCli]): void {
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `the test runs the built programs, but ${missing.join(' and ')} do not exist: ${howToBuild}`,
    );
  }
  for (const file of files) requireFresh(file, sourcesOf[file] ?? []);
}

/** Throws when `file` is older than the newest non-test `.ts` file under the source folders. */
export function requireFresh(file: string, sourceFolders: readonly string[]): void {
  const source = newestSource(sourceFolders);
  if (source !== undefined && source.mtimeMs > statSync(file).mtimeMs) {
    throw new Error(
      `${file} is older than ${source.file}: the build is stale, ${howToBuild}; if turbo answers ` +
        'from its cache (the sources were touched or checked out again, not changed), add `--force`',
    );
  }
}
