// The four packages as a team outside this repository gets them: `npm run pack`'s tarballs,
// installed together with npm into an empty project in the system temp folder, then used three
// ways: an ES module, a CommonJS module (Node's require of ES modules) and TypeScript under
// `tsc --strict`. Install scripts are skipped: better-sqlite3's native build takes minutes and
// nothing here opens an SQLite store.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

const repoRoot = join(contractsDir, '..');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
let project = '';

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}` };
}

// The same program in each form: a generated event, signed, then verified and typed by unwrap;
// the receiver's factory is there to mount.
const body = `
const [event] = generateEvents({ seed: '7', count: 1 });
const webhook = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const timestamp = Math.floor(Date.now() / 1000);
const payload = JSON.stringify(event);
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': webhook.sign('msg_1', timestamp, payload) };
const result = webhook.unwrap(headers, payload);
const type = result.kind === 'event' ? result.event.type : 'unknown';
console.log(JSON.stringify({ kind: validateEvent(event).kind, type, receiver: typeof createReceiver }));
`;

const sources = {
  'esm.mjs': `import { validateEvent } from '@webhook-contracts/schema';
import { Webhook } from '@webhook-contracts/webhooks';
import { createReceiver } from '@webhook-contracts/receiver';
import { generateEvents } from '@webhook-contracts/mock-sender';
${body}`,
  'cjs.cjs': `const { validateEvent } = require('@webhook-contracts/schema');
const { Webhook } = require('@webhook-contracts/webhooks');
const { createReceiver } = require('@webhook-contracts/receiver');
const { generateEvents } = require('@webhook-contracts/mock-sender');
${body}`,
  'typed.ts': `import { validateEvent, type CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { Webhook } from '@webhook-contracts/webhooks';
import { createReceiver } from '@webhook-contracts/receiver';
import { PostgresStore } from '@webhook-contracts/receiver/postgres';
import { generateEvents } from '@webhook-contracts/mock-sender';
const name: (e: CourseLessonInteractionCompleted) => string | null = (e) => e.data.user.name;
void name;
void PostgresStore;
${body}`,
};

const expected = { kind: 'event', type: 'course_lesson_interaction.completed', receiver: 'function' };
const lastLine = (output: string) => JSON.parse(output.trim().split('\n').at(-1) ?? 'null') as unknown;

describe('the packed packages in a project outside the workspace', () => {
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'webhook-contracts-consumer-'));
    const packs = join(project, 'packs');
    const packed = run(process.execPath, [join(repoRoot, 'scripts/pack.mjs'), packs], repoRoot);
    expect(packed.code, packed.output).toBe(0);
    const tarballs = readdirSync(packs).map((file) => join(packs, file));
    expect(tarballs).toHaveLength(4);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const installed = run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
        ...tarballs,
        // The platform's and the frameworks' types come from the consumer, as for any Express
        // library: the receiver's declarations name Express's, pg's and better-sqlite3's types (a
        // read model brings statements for both databases), and it lists their @types as optional
        // peers.
        '@types/node@20',
        '@types/express@5',
        '@types/pg@8',
        '@types/better-sqlite3@7',
      ],
      project,
    );
    expect(installed.code, installed.output).toBe(0);
    for (const [file, source] of Object.entries(sources)) writeFileSync(join(project, file), source);
  }, 600_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('holds no test files or test-support code', () => {
    const listed = run('npm', ['ls', '--parseable', '--all'], project);
    expect(listed.code, listed.output).toBe(0);
    const files = run('find', ['node_modules/@webhook-contracts', '-type', 'f'], project).output.split('\n');
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => /\.test\.|test-support|\/src\//.test(f))).toEqual([]);
  });

  it('points no file at a source that is not shipped (no dangling source or declaration maps)', () => {
    const files = run('find', ['node_modules/@webhook-contracts', '-type', 'f'], project)
      .output.split('\n')
      .filter((f) => /\.(js|d\.ts|map)$/.test(f));
    const dangling: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(project, file), 'utf8');
      const mapped = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (mapped !== undefined && !existsSync(join(project, file, '..', mapped)))
        dangling.push(`${file} -> ${mapped}`);
      if (file.endsWith('.map')) {
        const map = JSON.parse(text) as { sources: string[]; sourcesContent?: unknown[] };
        for (const source of map.sources)
          if (map.sourcesContent === undefined && !existsSync(join(project, file, '..', source)))
            dangling.push(`${file} -> ${source}`);
      }
    }
    expect(files.filter((f) => f.endsWith('.d.ts')).length).toBeGreaterThan(50);
    expect(dangling).toEqual([]);
  });

  it('carries the private HTTP kit inside each app, where no registry is asked for it', () => {
    for (const app of ['receiver', 'mock-sender']) {
      const kit = join(
        project,
        'node_modules/@webhook-contracts',
        app,
        'node_modules/@webhook-contracts/http-kit',
      );
      expect(JSON.parse(readFileSync(join(kit, 'package.json'), 'utf8')), app).toMatchObject({
        name: '@webhook-contracts/http-kit',
        private: true,
      });
      expect(existsSync(join(kit, 'dist/index.js')), app).toBe(true);
    }
    expect(existsSync(join(project, 'node_modules/@webhook-contracts/http-kit'))).toBe(false);
  });

  it('lists no type package among their production dependencies', () => {
    for (const name of ['schema', 'webhooks', 'receiver', 'mock-sender']) {
      const manifest = JSON.parse(
        readFileSync(join(project, 'node_modules/@webhook-contracts', name, 'package.json'), 'utf8'),
      ) as { dependencies?: Record<string, string> };
      const types = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@types/'));
      expect(types, name).toEqual([]);
    }
  });

  it('works as ES modules', () => {
    const result = run(process.execPath, ['esm.mjs'], project);
    expect(result.code, result.output).toBe(0);
    expect(lastLine(result.output)).toEqual(expected);
  });

  it('works from CommonJS', () => {
    const result = run(process.execPath, ['cjs.cjs'], project);
    expect(result.code, result.output).toBe(0);
    expect(lastLine(result.output)).toEqual(expected);
  });

  it('type-checks under tsc --strict (nodenext) and runs', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
          outDir: 'out',
        },
        files: ['typed.ts'],
      }),
    );
    const compiled = run(process.execPath, [tsc, '-p', '.'], project);
    expect(compiled.code, compiled.output).toBe(0);
    const result = run(process.execPath, ['out/typed.js'], project);
    expect(result.code, result.output).toBe(0);
    expect(lastLine(result.output)).toEqual(expected);
  });
});
