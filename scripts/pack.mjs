#!/usr/bin/env node
// `npm run pack`: installable tarballs of the four packages in ./packs (or the folder given), for a
// project outside this workspace. pnpm's pack rewrites `workspace:*` to the packages' versions and
// applies each `publishConfig` (exports without the source condition); `files` keeps tests and
// test-support code out (the build never emits them).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpm } from './pnpm.mjs';

export const packedPackages = [
  '@webhook-contracts/schema',
  '@webhook-contracts/webhooks',
  '@webhook-contracts/receiver',
  '@webhook-contracts/mock-sender',
];

const root = join(fileURLToPath(import.meta.url), '../..');
const destination = resolve(root, process.argv[2] ?? 'packs');
rmSync(destination, { recursive: true, force: true });
mkdirSync(destination, { recursive: true });
for (const name of packedPackages) {
  const status = pnpm(['--filter', name, 'pack', '--pack-destination', destination]);
  if (status !== 0) {
    console.error(`pnpm pack of ${name} failed (exit ${status})`);
    process.exit(status);
  }
}
const tarballs = readdirSync(destination).filter((file) => file.endsWith('.tgz'));
console.log(`${tarballs.length} tarballs in ${destination}:`);
for (const file of tarballs) console.log(`  ${file}`);
console.log(`install them together: npm install ${tarballs.map((f) => join(destination, f)).join(' ')}`);
