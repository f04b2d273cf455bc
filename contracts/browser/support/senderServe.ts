// Starts the BUILT `mock-sender serve` on a free port and reads the port from its listening line.
import { spawn } from 'node:child_process';
import { senderCli } from '../../test/support/builtPrograms.js';

export interface RunningServe {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startBuiltSenderServe(
  env: Record<string, string>,
  timeoutMs = 20_000,
  /** More `serve` flags (settings given as flags). */
  args: readonly string[] = [],
): Promise<RunningServe> {
  const child = spawn(process.execPath, [senderCli, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`mock-sender serve did not log "listening" within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/[0-9.]+:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock-sender serve exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
