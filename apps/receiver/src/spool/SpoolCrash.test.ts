// A process SIGKILLed while it appends: every append it acknowledged is read back at the next
// open, and whatever the kill cut short is truncated, not read as a record.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Spool } from './Spool.js';

const script = fileURLToPath(new URL('./test-support/appendingChild.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
let parent: string;

afterEach(() => {
  fs.rmSync(parent, { recursive: true, force: true });
});

describe('a spool whose process is SIGKILLed mid-append', () => {
  it('reads back every acknowledged delivery and no torn one', async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-crash-'));
    const dir = path.join(parent, 'spool');
    const child = spawn(
      process.execPath,
      ['--import', tsx, '--conditions=@webhook-contracts/source', script, dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('close', (_code, signal) => resolve(signal)),
    );
    await eventually(
      'the child acknowledged 2000 appends',
      () => ((output.match(/^acked /gm)?.length ?? 0) >= 2000 ? true : undefined),
      60_000,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const acked = [...output.matchAll(/^acked (\S+)$/gm)].map((m) => m[1]!);

    const { spool, recovery } = await Spool.open({ dir, maxBytes: 1024 ** 3, segmentBytes: 256 * 1024 });
    try {
      const ids = new Set<string>();
      for (;;) {
        const batch = await spool.next(1000);
        if (batch.length === 0) break;
        for (const r of batch) {
          ids.add(r.delivery.webhookId);
          expect(JSON.parse(r.delivery.body.toString('utf8')).id).toBe(r.delivery.webhookId);
        }
        await spool.commit(batch.map((r) => r.entry));
      }
      expect(acked.filter((id) => !ids.has(id))).toEqual([]);
      expect(ids.size).toBe(recovery.records);
      expect(ids.size).toBeGreaterThanOrEqual(acked.length);
    } finally {
      await spool.close();
    }
  });
});
