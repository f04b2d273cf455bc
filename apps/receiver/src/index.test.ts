import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Counts the `pg` driver's files in the module cache of a fresh process after loading `entry` with
// `import` or `require`, and after opening an SQLite store through the entry's openStore.
const probe = (how: 'import' | 'require', entry: string) => `
  const { createRequire } = await import('node:module');
  const cache = () => Object.keys(createRequire(process.cwd() + '/').cache);
  const pg = () => cache().filter((file) => /[\\\\/]pg[\\\\/]lib[\\\\/]/.test(file)).length;
  const pkg = ${how === 'import' ? `await import('${entry}')` : `createRequire(process.cwd() + '/')('${entry}')`};
  const afterLoad = pg();
  if (pkg.openStore) await (await pkg.openStore('sqlite::memory:')).close();
  console.log(JSON.stringify({ exports: Object.keys(pkg).sort(), afterLoad, afterSqlite: pg() }));
`;

function load(how: 'import' | 'require', entry: string) {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@webhook-contracts/source',
      '--input-type=module',
      '-e',
      probe(how, entry),
    ],
    { cwd: packageDir, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as {
    exports: string[];
    afterLoad: number;
    afterSqlite: number;
  };
}

describe('the package entry points (fresh processes)', () => {
  it.each(['import', 'require'] as const)(
    'load no PostgreSQL driver when the package is loaded with %s, nor for an SQLite store',
    (how) => {
      const result = load(how, '@webhook-contracts/receiver');
      expect(result.exports).toEqual([
        'ConfigError',
        'Processor',
        'ReceiverMetrics',
        'Spool',
        'SpoolFullError',
        'SqliteStore',
        'StoreError',
        'combineHandlers',
        'createLogger',
        'createReadApiRouter',
        'createReceiver',
        'createWebhookHandler',
        'createWebhookRouter',
        'defaultHandlers',
        'lessonProgress',
        'loadConfig',
        'openStore',
        'readModels',
        'runReceiver',
      ]);
      expect(result).toMatchObject({ afterLoad: 0, afterSqlite: 0 });
    },
    30_000,
  );

  it('loads the PostgreSQL driver through the /postgres entry, which exports PostgresStore', () => {
    const result = load('import', '@webhook-contracts/receiver/postgres');
    expect(result.exports).toEqual(['PostgresStore']);
    expect(result.afterLoad).toBeGreaterThan(0);
  }, 30_000);
});
