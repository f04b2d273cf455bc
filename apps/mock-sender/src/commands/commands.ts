// The CLI's commands, in --help order: each a definition whose work loads only when it runs.
import type { Command } from 'commander';
import { checkCommand } from './check.js';
import { examplesCommand } from './examples.js';
import { keysCommand } from './keys.js';
import { replayCommand } from './replay.js';
import { sendCommand } from './send.js';
import { serveCommand } from './serve.js';
import { signCommand } from './sign.js';

/** Fresh definitions of every `mock-sender` command. */
export function commands(): Command[] {
  return [
    sendCommand(),
    replayCommand(),
    signCommand(),
    checkCommand(),
    serveCommand(),
    examplesCommand(),
    keysCommand(),
  ];
}
