// The CLI loads each command's work only when that command runs (commands/*Action.ts, the
// catalog's flag checks): these check that help, suggestions and flag errors are unchanged by it.
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
