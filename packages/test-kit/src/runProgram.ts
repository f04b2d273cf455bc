// Runs a program to completion and collects what it wrote, for CLIs under test.
import { spawn } from 'node:child_process';
import type { Exit } from './startProgram.js';

export interface ProgramResult extends Exit {
  stdout: string;
  stderr: string;
}

export interface RunProgramOptions {
  env?: Record<string, string>;
  cleanEnv?: boolean;
  /** What the program reads on stdin (it sees the end of input after it). */
  input?: string | Buffer;
}

/**
 * Runs `node <args>` to its end. The environment is this process's plus `env`, or only PATH plus
 * `env` with `cleanEnv`.
 *
 * @example
 * const run = await runProgram([senderCli, 'check', '--to', url], { env: { WEBHOOK_SECRET: secret } });
 * expect(run.code, run.stderr).toBe(0);
 */
export function runProgram(args: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult> {
  const base = options.cleanEnv === true ? { PATH: process.env['PATH'] ?? '' } : process.env;
  const child = spawn(process.execPath, args, {
    env: { ...base, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
