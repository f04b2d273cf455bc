// The built program reads its settings before it loads the rest (startReceiver.ts, loaded after):
// --help and configuration errors answer from the bin without opening anything.
import { receiverMain, requireBuilt, runProgram } from '@webhook-contracts/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { helpLine } from '../src/config.js';
import { type SettingKey, settings } from '../src/settings.js';

beforeAll(() => requireBuilt([receiverMain]));

describe('webhook-receiver before its store opens', () => {
  it('prints every setting with its flag and help on --help, and exits 0', async () => {
    const { code, stdout } = await runProgram([receiverMain, '--help'], { cleanEnv: true });
    expect(code).toBe(0);
    const oneLine = stdout.replace(/\s+/g, ' ');
    for (const key of Object.keys(settings) as SettingKey[]) {
      expect(stdout).toContain(settings[key].flag);
      expect(oneLine).toContain(helpLine(key).replace(/\s+/g, ' '));
    }
  });

  it('exits 2 listing every configuration mistake, with nothing started', async () => {
    const { code, stdout, stderr } = await runProgram([receiverMain, '--port', 'abc'], { cleanEnv: true });
    expect(code).toBe(2);
    expect(stderr).toContain('webhook-receiver: Invalid configuration:');
    expect(stderr).toContain('WEBHOOK_SECRET is not set');
    expect(stderr).toContain('--port is "abc": expected a TCP port from 0 to 65535');
    expect(stdout).toBe('');
  });
});
