// What the benchmarks send and run: the docs example body, the signing secret, the built programs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

/** A Whop-style secret (literal key bytes); the reference library gets btoa(secret), as Whop's docs say. */
export const BENCH_SECRET = 'ws_5b1d9a0e7c3f4a2b8d6e0c1f9a7b3d5e2c4f6a8b0d1e3f5a7c9b2d4e6f8a0c1b';

/**
 * The built receiver; BENCH_RECEIVER_MAIN names another build (an older commit's, say, built in a
 * second worktree) to measure it the same way.
 */
export const RECEIVER_MAIN = process.env.BENCH_RECEIVER_MAIN ?? join(ROOT, 'apps/receiver/dist/main.js');
export const SENDER_CLI = join(ROOT, 'apps/mock-sender/dist/cli.js');

const DOCS_EXAMPLE = join(ROOT, 'contracts/examples/course_lesson_interaction.completed/docs-page.json');

/** The docs example body, byte for byte. */
export function docsExampleBody(): Buffer {
  return readFileSync(DOCS_EXAMPLE);
}
