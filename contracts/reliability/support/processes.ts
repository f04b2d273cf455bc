// The built receiver as the reliability scenarios run it: an environment holding only what they
// set, a SQLite file kept across restarts, and the port it got (to restart on the same address).
import { readFileSync } from 'node:fs';
import { type RunningProgram, startBuiltReceiver } from '@webhook-contracts/test-kit';

export type ReceiverProcess = RunningProgram & { port: number };

export interface ReceiverProcessOptions {
  secret: string;
  apiToken: string;
  /** `sqlite:/abs/file` (kept across restarts). */
  databaseUrl: string;
  /** 0 = any free port; pass the previous port to restart on the same address. */
  port?: number;
  env?: Record<string, string>;
}

/** Starts the built receiver and resolves once it listens. */
export async function startReceiverProcess(options: ReceiverProcessOptions): Promise<ReceiverProcess> {
  const program = await startBuiltReceiver(
    {
      WEBHOOK_SECRET: options.secret,
      RECEIVER_API_TOKEN: options.apiToken,
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port ?? 0),
      ...options.env,
    },
    { cleanEnv: true },
  );
  return Object.assign(program, { port: Number(new URL(program.url).port) });
}

/** Resident set size of a live process in KiB, from /proc/<pid>/status (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]);
}
