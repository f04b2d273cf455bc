#!/usr/bin/env node
import { WebhookConfigError } from '@webhook-contracts/webhooks/secrets';
// The `mock-sender` entry point: commander wiring and exit codes only (0 ok, 1 a delivery or check
// failed, 2 usage or configuration error). The work happens in send(), replay(), check() and the
// server.
import { Command, CommanderError } from 'commander';
import { commands } from './commands/commands.js';
import { SenderConfigError } from './errors.js';
import { version } from './version.js';

const program = new Command('mock-sender')
  .description(
    "Plays Whop's webhook sender: signed fixtures, delivery with retries, receiver conformance check.",
  )
  .version(version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const command of commands()) {
  program.addCommand(command.exitOverride().showHelpAfterError('(run with --help for usage)'));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; everything else commander rejects is usage.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof SenderConfigError || error instanceof WebhookConfigError) {
    process.stderr.write(`mock-sender: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `mock-sender: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
