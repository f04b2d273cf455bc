#!/usr/bin/env node
// `npm run pack`: installable tarballs of the four packages in ./packs (or the folder given), for a
// project outside this workspace. pnpm's pack rewrites `workspace:*` to the packages' versions and
// applies each `publishConfig` (exports without the source condition); `files` keeps tests and
// test-support code out (the build never emits them).
//
// A private workspace package (`"private": true`, e.g. @webhook-contracts/http-kit) is on no
// registry, so an app that depends on it carries it: its packed files go into the app's tarball
// under node_modules/, listed in `bundleDependencies`, and npm installs that copy. pnpm pack does
// not bundle workspace packages, so the app's tarball is unpacked, given the kit and packed again
// with npm.
//
// It prints the tarballs and the install lines; `--verbose` adds pnpm's list of every packed file.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpm } from './pnpm.mjs';

export const packedPackages = [
  '@webhook-contracts/schema',
  '@webhook-contracts/webhooks',
  '@webhook-contracts/receiver',
  '@webhook-contracts/mock-sender',
];

const root = join(fileURLToPath(import.meta.url), '../..');

/** Every workspace package's manifest by name, with its folder. */
function workspaceManifests() {
  const manifests = new Map();
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      const file = join(root, group, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      manifests.set(manifest.name, { ...manifest, dir: join(root, group, entry.name) });
    }
  }
  return manifests;
}

/** The file name pnpm and npm give a package's tarball: `@scope/name` 1.0.0 is `scope-name-1.0.0.tgz`. */
const tarballName = (manifest) =>
  `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;

function run(command, args, cwd) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.error})`);
    process.exit(result.status ?? 1);
  }
}

/** `--verbose` keeps pnpm's list of every packed file. */
const verbose = process.argv.includes('--verbose');

function packWithPnpm(name, destination) {
  const status = pnpm(['--filter', name, 'pack', '--pack-destination', destination], { quiet: !verbose });
  if (status !== 0) {
    console.error(`pnpm pack of ${name} failed (exit ${status})`);
    process.exit(status);
  }
}

/** Puts the packed files of `privateNames` inside the app's tarball at `tarball`, as bundled dependencies. */
function bundlePrivate(tarball, privateNames, manifests, destination) {
  const stage = mkdtempSync(join(tmpdir(), 'webhook-contracts-pack-'));
  try {
    run('tar', ['-xzf', tarball, '-C', stage], root);
    const app = join(stage, 'package');
    for (const name of privateNames) {
      const kitPacks = join(stage, 'kit');
      mkdirSync(kitPacks, { recursive: true });
      packWithPnpm(name, kitPacks);
      const into = join(app, 'node_modules', name);
      mkdirSync(into, { recursive: true });
      run(
        'tar',
        ['-xzf', join(kitPacks, tarballName(manifests.get(name))), '-C', into, '--strip-components=1'],
        root,
      );
    }
    const manifestFile = join(app, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.bundleDependencies = privateNames;
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(tarball);
    run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', destination], app);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Packs the four packages into `destination` and returns the tarballs' paths.
 *
 * @example
 * packAll('packs'); // ['packs/webhook-contracts-schema-0.1.0.tgz', …]
 */
export function packAll(destination) {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const manifests = workspaceManifests();
  for (const name of packedPackages) {
    packWithPnpm(name, destination);
    const manifest = manifests.get(name);
    const privateNames = Object.keys(manifest.dependencies ?? {}).filter(
      (dep) => manifests.get(dep)?.private === true,
    );
    if (privateNames.length > 0)
      bundlePrivate(join(destination, tarballName(manifest)), privateNames, manifests, destination);
  }
  return readdirSync(destination)
    .filter((file) => file.endsWith('.tgz'))
    .map((file) => join(destination, file));
}

const kilobytes = (file) => `${Math.round(statSync(file).size / 1024)} KB`;

/**
 * What `npm run pack` prints: the tarballs with their sizes, then the install line for each use,
 * written for tarballs copied into the team's `vendor/` folder.
 */
export function packSummary(tarballs) {
  const byName = new Map(
    tarballs.map((file) => [basename(file).replace(/-\d+\.\d+\.\d+.*\.tgz$/, ''), file]),
  );
  const vendored = (...names) =>
    names.map((name) => `./vendor/${basename(byName.get(`webhook-contracts-${name}`))}`).join(' ');
  const total = tarballs.reduce((sum, file) => sum + statSync(file).size, 0);
  return [
    `${tarballs.length} tarballs (${Math.round(total / 1024)} KB) in ${dirname(tarballs[0] ?? '.')}:`,
    ...tarballs.map((file) => `  ${basename(file).padEnd(42)} ${kilobytes(file)}`),
    '',
    'Copy them into vendor/ in your project and commit them (contracts/README.md, "Use the packages"), then:',
    `  a service verifying webhooks:  npm i ${vendored('schema', 'webhooks')}`,
    `  the mock sender, for CI:       npm i -D ${vendored('schema', 'webhooks', 'mock-sender')}`,
    `  the receiver:                  npm i ${vendored('schema', 'webhooks', 'receiver')}`,
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [folder] = process.argv.slice(2).filter((arg) => arg !== '--verbose');
  const destination = resolve(root, folder ?? 'packs');
  console.log(packSummary(packAll(destination)));
}
