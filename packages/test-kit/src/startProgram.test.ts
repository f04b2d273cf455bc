import { describe, expect, it } from 'vitest';
import { startProgram } from './startProgram.js';

const script = (code: string) => ['-e', code];

describe('startProgram', () => {
  it('resolves with the URL of the listening line and stops the program with SIGTERM', async () => {
    const program = await startProgram(
      script(`console.error('listening on http://127.0.0.1:4321'); setInterval(() => {}, 1000);`),
    );
    expect(program.url).toBe('http://127.0.0.1:4321');
    expect(program.stderr()).toBe('listening on http://127.0.0.1:4321\n');
    expect(await program.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('kills with SIGKILL', async () => {
    const program = await startProgram(script(`console.log('ready'); setInterval(() => {}, 1000);`), {
      readyWhen: /^ready$/m,
    });
    expect(program.url).toBe('');
    expect(await program.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('rejects with what the program wrote when it exits before it is ready', async () => {
    await expect(startProgram(script(`console.error('bad config'); process.exit(2);`))).rejects.toThrow(
      /exited with code 2 before it was ready:\nbad config/,
    );
  });

  it('rejects and kills a program that stays silent past the deadline', async () => {
    await expect(startProgram(script('setInterval(() => {}, 1000);'), { timeoutMs: 300 })).rejects.toThrow(
      /did not print .* within 300 ms/,
    );
  });

  it('passes only PATH and the given variables with cleanEnv', async () => {
    const program = await startProgram(
      script(`console.log('listening on http://127.0.0.1:1 ' + Object.keys(process.env).sort().join(','));`),
      { cleanEnv: true, env: { ONLY_THIS: '1' } },
    );
    await program.exited;
    expect(program.stdout()).toContain('ONLY_THIS,PATH');
  });
});
