// `mock-sender check`: the flags; the check itself is loaded only when the command runs.
import { Command } from 'commander';
import { number } from '../options/flagParsers.js';

export function checkCommand(): Command {
  return new Command('check')
    .description('conformance run against a receiver endpoint (exit 0 only if every case passes)')
    .requiredOption('--to <url>', 'receiver endpoint URL')
    .option(
      '--secret <secret>',
      'endpoint secret(s): whsec_…, ws_…, bare base64 or a whsk_ key (signs v1a); comma-separated (default: $WEBHOOK_SECRET)',
    )
    .option('--timeout <ms>', 'per-request timeout in milliseconds', number, 10_000)
    .option('--seed <seed>', 'seed for the events used (default: random)')
    .option('--json', 'print the results as JSON on stdout')
    .action(
      async (flags: { to: string; secret?: string; timeout: number; seed?: string; json?: boolean }) => {
        const [{ check }, { formatCheckTable }, { resolveSecrets }] = await Promise.all([
          import('../check/check.js'),
          import('../check/formatCheckTable.js'),
          import('../options/resolveSecrets.js'),
        ]);
        const report = await check({
          to: flags.to,
          secret: resolveSecrets(flags.secret),
          timeoutMs: flags.timeout,
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        });
        process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatCheckTable(report)}\n`);
        process.exitCode = report.passed ? 0 : 1;
      },
    );
}
