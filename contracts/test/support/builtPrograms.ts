// Runs the BUILT programs as separate processes, as a team would in CI: the receiver's
// `dist/main.js` and the mock sender's `dist/cli.js`. Nothing here imports the apps' code.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { contractsDir } from '../../scripts/artefacts.js';

const repoRoot = join(contractsDir, '..');
export const receiverMain = join(repoRoot, 'apps/receiver/dist/main.js');
export const senderCli = join(repoRoot, 'apps/mock-sender/dist/cli.js');

/** The source folders a built program is compiled from: the app and the packages it imports. */
const sourcesOf: Record<string, readonly string[]> = {
  [receiverMain]: ['apps/receiver/src', 'packages/schema/src', 'packages/webhooks/src'].map((f) =>
    join(repoRoot, f),
  ),
  [senderCli]: ['apps/mock-sender/src', 'packages/schema/src', 'packages/webhooks/src'].map((f) =>
    join(repoRoot, f),
  ),
};

/** The newest non-test source file under the folders, or undefined when there is none. */
function newestSource(folders: readonly string[]): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test-support') visit(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const { mtimeMs } = statSync(path);
        if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { file: path, mtimeMs };
      }
    }
  };
  for (const dir of folders) if (existsSync(dir)) visit(dir);
  return newest;
}

const howToBuild = 'run `./node_modules/.bin/turbo run build` (or `npm run contracts`, which builds first)';

/**
 * Throws a message saying how to build when a program's dist file is missing, or is older than a
 * source file it is built from (a test would otherwise run yesterday's program).
 */
export function requireBuilt(files: readonly string[] = [receiverMain, senderCli]): void {
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `the end-to-end contract test runs the built programs, but ${missing.join(' and ')} ` +
        `do not exist: ${howToBuild}`,
    );
  }
  for (const file of files) requireFresh(file, sourcesOf[file] ?? []);
}

/** Throws when `file` is older than the newest non-test `.ts` file under the source folders. */
export function requireFresh(file: string, sourceFolders: readonly string[]): void {
  const source = newestSource(sourceFolders);
  if (source !== undefined && source.mtimeMs > statSync(file).mtimeMs) {
    throw new Error(`${file} is older than ${source.file}: the build is stale, ${howToBuild}`);
  }
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far, for failure messages. */
  output(): string;
  /** SIGTERM, then resolves with the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

function track(child: ChildProcess): RunningProcess {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Starts `node apps/receiver/dist/main.js` on any free port and resolves with its base URL once
 * it has logged that it listens (the port is read from that log line, so there is no port race).
 */
export async function startBuiltReceiver(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<RunningProcess & { url: string }> {
  const child = spawn(process.execPath, [receiverMain], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = track(child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the receiver did not log "listening" within ${timeoutMs} ms:\n${running.output()}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/[0-9.]+:\d+)/.exec(running.output());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the receiver exited with code ${code} before listening:\n${running.output()}`));
    });
  });
  return { ...running, url };
}

/** Runs `node apps/mock-sender/dist/cli.js <args>` to completion. */
export async function runSender(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [senderCli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  return { code, stdout, stderr };
}
