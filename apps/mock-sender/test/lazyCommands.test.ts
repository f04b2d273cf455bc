// The CLI loads each command's work only when that command runs (commands/*Action.ts, the
// catalog's flag checks): these check that help, suggestions and flag errors are unchanged by it,
// and that `send` of the default generated events loads none of the catalog's schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requireBuilt, runBuiltSender, senderCli } from '@webhook-contracts/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../src/commands/commands.js';
import { SECRET } from '../src/test-support/recorder.js';

beforeAll(() => requireBuilt([senderCli]));

const run = (args: string[]) => runBuiltSender(args, { WEBHOOK_SECRET: SECRET }, { cleanEnv: true });

const definitions = commands();

describe('mock-sender commands loaded on use', () => {
  it('lists every command with its description in the top-level help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    const oneLine = stdout.replace(/\s+/g, ' ');
    for (const command of definitions) {
      expect(stdout).toMatch(new RegExp(`^  ${command.name()} \\[options\\]`, 'm'));
      expect(oneLine).toContain(command.description().replace(/\s+/g, ' '));
    }
  });

  it.each(definitions.map((c) => [c.name(), c] as const))(
    "prints every option of %s in the command's help",
    async (name, command) => {
      const { code, stdout } = await run([name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: mock-sender ${name} [options]`);
      for (const option of command.options) expect(stdout).toContain(option.flags);
    },
  );

  it('suggests the closest command for a misspelt one and exits 2', async () => {
    const { code, stderr } = await run(['sned', '--to', 'http://127.0.0.1:9/']);
    expect(code).toBe(2);
    expect(stderr).toContain("error: unknown command 'sned'");
    expect(stderr).toContain('(Did you mean send?)');
  });

  it.each([
    ['send', ['send', '--to', 'http://127.0.0.1:9/', '--generate', '1']],
    ['replay', ['replay', '--from', '-', '--to', 'http://127.0.0.1:9/']],
  ])('refuses an --fail-on status the contract does not declare, as a usage error (%s)', async (_, args) => {
    const { code, stderr, stdout } = await run([...args, '--fail-on', 'accepted,bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "error: option '--fail-on <statuses>' argument 'accepted,bogus' is invalid. unknown \"bogus\": expected a comma list of accepted, duplicate, unhandled, quarantined.",
    );
    expect(stderr).toContain('(run with --help for usage)');
    expect(stdout).toBe('');
  });
});

/** The bundle files a file of dist/ loads through its static imports, itself included. */
function staticallyLoaded(first: string): Set<string> {
  const dir = dirname(senderCli);
  const loaded = new Set<string>();
  const queue = [first];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (loaded.has(file)) continue;
    loaded.add(file);
    // A static import starts a line; a dynamic one (`import("./…")`) is indented or follows `await`.
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(
      /^import\s[^;]*?["']\.\/([^"']+)["']/gm,
    ))
      queue.push(match[1]!);
  }
  return loaded;
}

// esbuild marks each bundled module with a `// path` comment where its code starts.
const CATALOG = '// ../../packages/schema/dist/catalog/resources.js';
const holdsCatalog = (file: string) => readFileSync(join(dirname(senderCli), file), 'utf8').includes(CATALOG);

describe('what mock-sender send loads', () => {
  const chunk = (prefix: string) => {
    const found = readdirSync(dirname(senderCli)).find((f) => f.startsWith(prefix) && f.endsWith('.js'));
    if (found === undefined) throw new Error(`no ${prefix}*.js in ${dirname(senderCli)}: build first`);
    return found;
  };

  it("loads none of the catalog's schemas for the default generated events", () => {
    const loaded = new Set([...staticallyLoaded('cli.js'), ...staticallyLoaded(chunk('cli-sendAction-'))]);
    expect(loaded.size).toBeGreaterThan(5);
    expect([...loaded].filter(holdsCatalog)).toEqual([]);
  });

  // cli.test.ts sends other types with the built CLI, which loads this chunk then.
  it('loads them with the catalog generator, for a run of other types', () => {
    expect([...staticallyLoaded(chunk('cli-catalogGenerator-'))].some(holdsCatalog)).toBe(true);
  });
});
