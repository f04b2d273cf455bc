// A disk that fills: the built receiver on SQLite with its database on a 16 MiB tmpfs. While
// deliveries and /healthz probes run, a filler file takes all but 256 KiB of the space, so the
// deliveries themselves fill the disk mid-run; later the filler is removed. Every answer must come
// within a bound, every refusal must be a 503 the sender retries (no 500, no crash), /healthz must
// say 503 while writes fail and 200 once space is free and deliveries are accepted again, and every delivery
// answered 2xx must be in the database, read back after a SIGKILL and a restart.
// Needs `mount -t tmpfs` (root, or a container that allows it); skipped with a loud line otherwise.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, ReadApi } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';
import { countByStatus, maxMs, startScenarioTraffic } from './support/timedTraffic.js';

const secret = newSecret();
const apiToken = 'reliability-disk-full-token';
const diskBytes = 16 * 1024 * 1024;
/** Space left beside the filler: the deliveries fill it themselves. */
const marginBytes = 256 * 1024;
/** Every answer comes within this, full disk or not. */
const answerBoundMs = 10_000;
const healthLimitMs = 2_000;
const healthMarginMs = 1_000;

/** Why a size-limited tmpfs cannot be mounted here, or undefined when it can (tried and undone). */
function mountRefusal(): string | undefined {
  const probe = mkdtempSync(join(tmpdir(), 'reliability-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return undefined;
  } catch (error) {
    return ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim();
  } finally {
    rmdirSync(probe);
  }
}

const refusal = mountRefusal();
if (refusal !== undefined) {
  console.warn(
    `[disk-full] SKIPPED: cannot mount a size-limited tmpfs here (${refusal}); run as root, or in a container allowed to mount`,
  );
}
const mountPoint = mkdtempSync(join(tmpdir(), 'reliability-disk-full-'));
const filler = join(mountPoint, 'filler');
let mounted = false;
let receiver: ReceiverProcess | undefined;

afterAll(async () => {
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  if (mounted) execFileSync('umount', [mountPoint]);
  rmdirSync(mountPoint);
});

/** Writes zeros to `path` until only `leave` bytes of its filesystem are free (or it is full). */
function fillDisk(path: string, leave: number): number {
  const { bavail, bsize } = statfsSync(mountPoint);
  let left = bavail * bsize - leave;
  const zeros = Buffer.alloc(64 * 1024);
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    while (left > 0) {
      const n = writeSync(fd, zeros, 0, Math.min(zeros.length, left));
      written += n;
      left -= n;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

describe('a disk that fills', () => {
  it.skipIf(refusal !== undefined)(
    'refuses with 503 while the disk is full, loses nothing acknowledged, and recovers once space is freed',
    async () => {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${diskBytes}`, 'tmpfs', mountPoint]);
      mounted = true;
      const databaseUrl = `sqlite:${join(mountPoint, 'receiver.sqlite')}`;
      receiver = await startReceiverProcess({ secret, apiToken, databaseUrl });
      const { url } = receiver;

      const traffic = startScenarioTraffic({
        url,
        secret,
        idPrefix: `msg_disk_${Date.now()}`,
        maxDeliveries: 50_000,
      });
      const { at, deliveries, health } = traffic;
      const refusals = () => deliveries.answers.filter((d) => d.status !== 200).length;

      try {
        await eventually('some deliveries accepted', () =>
          deliveries.answers.filter((d) => d.status === 200).length >= 200 ? true : undefined,
        );
        const filledAt = at();
        const fillerBytes = fillDisk(filler, marginBytes);
        // The deliveries fill what is left; then refusals keep coming for a while.
        await eventually('the first refusal once the disk filled', () => (refusals() > 0 ? true : undefined));
        const fullAt = at();
        await eventually('refusals for 3 s', () => (at() > fullAt + 3000 ? true : undefined));
        const receivedWhileFull = refusals();

        rmSync(filler);
        const freedAt = at();
        await eventually(
          'healthz 200 and deliveries accepted after the space was freed',
          () => {
            const accepting = deliveries.answers.some((d) => d.sentAt > freedAt + 500 && d.status === 200);
            const healthy = health.answers.some((p) => p.sentAt > freedAt + 500 && p.status === 200);
            return accepting && healthy ? true : undefined;
          },
          30_000,
        );
        const recoveredAt = at();
        await traffic.stop();
        const sent = deliveries.answers;
        const probes = health.answers;

        const whileFull = probes.filter((p) => p.sentAt >= fullAt && p.sentAt + p.ms <= freedAt);
        const figures = {
          diskMiB: diskBytes / 2 ** 20,
          fillerMiB: Math.round((fillerBytes / 2 ** 20) * 10) / 10,
          deliveries: sent.length,
          byStatus: countByStatus(sent),
          maxDeliveryMs: maxMs(sent),
          firstRefusalMsAfterFill: Math.round(fullAt - filledAt),
          refusalsWhileFull: receivedWhileFull,
          healthProbes: probes.length,
          healthWhileFull: countByStatus(whileFull),
          healthByStatus: countByStatus(probes),
          maxHealthMs: maxMs(probes),
          recoveredMsAfterFree: Math.round(recoveredAt - freedAt),
        };
        console.info(`[disk-full] figures ${JSON.stringify(figures)}`);

        // Every delivery answered within the bound: 200, or 503 the sender retries.
        expect(sent.filter((d) => d.status === 0)).toEqual([]);
        expect(figures.maxDeliveryMs).toBeLessThan(answerBoundMs);
        const refused = sent.filter((d) => d.status !== 200);
        expect(refused.length).toBeGreaterThan(0);
        expect(refused.filter((d) => d.status !== 503 || d.code !== 'store_unavailable')).toEqual([]);
        // The process lived through it.
        expect(receiver.child.exitCode).toBeNull();

        // /healthz within its limit throughout; while the disk is full it writes a page itself and
        // says 503 (a write small enough for the last free bytes can still pass: 200 between), then
        // 200 once space is free.
        expect(probes.filter((p) => p.status === 0)).toEqual([]);
        expect(figures.maxHealthMs).toBeLessThan(healthLimitMs + healthMarginMs);
        expect(whileFull.filter((p) => p.status === 503).length).toBeGreaterThan(0);
        expect(probes.filter((p) => p.status !== 200 && p.code !== 'store_unavailable')).toEqual([]);
        expect(probes.at(-1)?.status).toBe(200);

        // Every delivery answered 2xx is on disk: kill the receiver, restart it, read them all back.
        const acknowledged = sent.filter((d) => d.status === 200).map((d) => d.id);
        receiver.child.kill('SIGKILL');
        await receiver.exited;
        receiver = await startReceiverProcess({ secret, apiToken, databaseUrl });
        const stored = new Set(
          (await new ReadApi(receiver.url, apiToken).allEvents()).map((e) => e.webhook_id),
        );
        expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      } finally {
        traffic.halt();
        rmSync(filler, { force: true });
      }
    },
  );
});
