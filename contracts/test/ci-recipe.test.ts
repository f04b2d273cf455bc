// The CI recipe of contracts/README.md, run as written: its shell block is read from the README (so
// the docs and this test cannot drift) and run with bash in an empty project that holds only the
// packed tarballs in vendor/, on a PATH without pnpm and with no checkout of this repository,
// against the built receiver started with the recipe's secret in strict contract mode. The same
// block against a receiver with another secret must fail.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SendSummary } from '@webhook-contracts/mock-sender';
import { knownEventTypes } from '@webhook-contracts/schema';
import { type RunningProgram, startBuiltReceiver } from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

const repoRoot = join(contractsDir, '..');
const heading = '## Hold your own receiver to the contract in CI';

/** The first ```sh block after the recipe's heading in contracts/README.md. */
export function recipeBlock(readme: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (readme.indexOf(heading) < 0 || block === undefined) throw new Error(`no sh block under "${heading}"`);
  return block;
}

const block = recipeBlock(readFileSync(join(contractsDir, 'README.md'), 'utf8'));
const secret = /^export WEBHOOK_SECRET=(\S+)/m.exec(block)?.[1] ?? '';
// Node, npm and npx, and the system's tools; never the workspace's node_modules/.bin.
const path = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');
let project = '';
const receivers: RunningProgram[] = [];

function runRecipe(receiverUrl: string) {
  const result = spawnSync('bash', ['-c', `set -euo pipefail\n${block}`], {
    cwd: project,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      PATH: path,
      HOME: process.env['HOME'] ?? project,
      RECEIVER_URL: receiverUrl,
      // The registry is asked only for what the npm cache lacks.
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}${result.error ?? ''}` };
}

async function receiver(webhookSecret: string, name: string): Promise<string> {
  const program = await startBuiltReceiver({
    WEBHOOK_SECRET: webhookSecret,
    CONTRACT_MODE: 'strict',
    DATABASE_URL: `sqlite:${join(project, '..', `${name}.sqlite`)}`,
  });
  receivers.push(program);
  return `${program.url}/webhooks`;
}

describe('the CI recipe in contracts/README.md', () => {
  let base = '';
  let packOutput = '';
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'webhook-contracts-ci-recipe-'));
    const packs = join(base, 'packs');
    const packed = spawnSync(process.execPath, [join(repoRoot, 'scripts/pack.mjs'), packs], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(packed.status, `${packed.stdout}${packed.stderr}`).toBe(0);
    packOutput = packed.stdout;
    project = join(base, 'team-service');
    mkdirSync(join(project, 'vendor'), { recursive: true });
    for (const file of readdirSync(packs)) copyFileSync(join(packs, file), join(project, 'vendor', file));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'team-service', private: true }));
  }, 300_000);
  afterAll(async () => {
    for (const program of receivers) await program.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('is a block with the install, the secret and both gates', () => {
    expect(block).toMatch(/^npm i -D \.\/vendor\//m);
    expect(secret).toMatch(/^whsec_/);
    expect(block).toContain('mock-sender check');
    expect(block).toContain('mock-sender send');
    const noPnpm = spawnSync('sh', ['-c', 'command -v pnpm'], { env: { PATH: path } });
    expect(noPnpm.status).not.toBe(0);
  });

  it('is what npm run pack prints for the mock sender, in a summary of a dozen lines', () => {
    const lines = packOutput.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/^4 tarballs \(\d+ KB\) in /);
    const printed = lines
      .find((line) => line.includes('the mock sender, for CI:'))
      ?.split(':  ')[1]
      ?.trim();
    const documented = /^npm i -D [^#]*/m
      .exec(block.replaceAll('\\\n', ' '))?.[0]
      .replace(/\s+/g, ' ')
      .trim();
    expect(documented).toBe(printed);
  });

  it('passes as written against a receiver on the contract, sending every type', async () => {
    const url = await receiver(secret, 'right-secret');
    const run = runRecipe(url);
    expect(run.code, run.output).toBe(0);
    const check = JSON.parse(readFileSync(join(project, 'check.json'), 'utf8')) as {
      results: { pass: boolean }[];
    };
    expect(check.results.length).toBeGreaterThan(10);
    expect(check.results.filter((r) => !r.pass)).toEqual([]);
    const sent = JSON.parse(readFileSync(join(project, 'send.json'), 'utf8')) as SendSummary;
    expect(sent.failed).toBe(0);
    expect(sent.delivered).toBe(sent.sent);
    expect(Object.keys(sent.byType).sort()).toEqual([...knownEventTypes].sort());
    const reported = readFileSync(join(project, 'deliveries.jsonl'), 'utf8').trim().split('\n');
    expect(reported).toHaveLength(sent.sent);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies['@webhook-contracts/mock-sender']).toMatch(/^file:vendor\//);
  }, 300_000);

  it('fails as written against a receiver that refuses the signatures', async () => {
    const url = await receiver('whsec_YW5vdGhlci1zZWNyZXQtZm9yLWNp', 'other-secret');
    const run = runRecipe(url);
    expect(run.code, run.output).not.toBe(0);
    const check = JSON.parse(readFileSync(join(project, 'check.json'), 'utf8')) as {
      results: { pass: boolean }[];
    };
    expect(check.results.some((r) => !r.pass)).toBe(true);
  }, 300_000);
});
