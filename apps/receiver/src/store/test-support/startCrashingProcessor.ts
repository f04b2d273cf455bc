// Runs crashingProcessor.ts in a child process (through tsx, on the sources) and follows its
// output: the ids its handler was handed before each self-inflicted SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export interface CrashingProcessor {
  child: ChildProcess;
  /** Ids the handler was handed (`handling <id>` lines), so far. */
  handled: string[];
  /** Resolves once it printed `ready`; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

const script = fileURLToPath(new URL('./crashingProcessor.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

export function startCrashingProcessor(url: string, maxAttempts: number, leaseMs: number): CrashingProcessor {
  const child = spawn(
    process.execPath,
    [
      '--import',
      tsx,
      '--conditions=@webhook-contracts/source',
      script,
      url,
      String(maxAttempts),
      String(leaseMs),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A test that fails before it stops the processor must not leave it running (it polls forever).
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const handled: string[] = [];
  let output = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const line of output.split('\n')) {
      if (line === 'ready') markReady();
    }
    handled.splice(0, handled.length, ...[...output.matchAll(/^handling (\S+)$/gm)].map((m) => m[1]!));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => child.once('close', (code, signal) => resolve({ code, signal, output })),
  );
  return {
    child,
    handled,
    ready: Promise.race([
      ready,
      exited.then((exit) => {
        throw new Error(`the crashing processor exited before it was ready:\n${exit.output}`);
      }),
    ]),
    exited,
  };
}
