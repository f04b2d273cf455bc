// `mock-sender sign`: signing needs only the secret helpers and the signature, loaded when it runs.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { SenderConfigError } from '../errors.js';
import { nonNegativeInteger } from '../options/flagParsers.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBodyFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw new SenderConfigError('invalid_option', `--file ${file}: ${why}`, undefined, { cause });
  }
}

export function signCommand(): Command {
  return new Command('sign')
    .description(
      'print the three webhook-* headers for a body (stdin or --file), e.g. to replay it with curl',
    )
    .option('--id <id>', 'webhook-id (default: a fresh msg_ id)')
    .option('--timestamp <unix>', 'webhook-timestamp in Unix seconds (default: now)', nonNegativeInteger)
    .option('--file <path>', 'sign this file (default: read the body from stdin)')
    .option(
      '--secret <secret>',
      'endpoint secret(s): whsec_…, ws_…, bare base64 or a whsk_ key (signs v1a); comma-separated (default: $WEBHOOK_SECRET)',
    )
    .option('--json', 'print the headers as a JSON object')
    .action(
      async (flags: { id?: string; timestamp?: number; file?: string; secret?: string; json?: boolean }) => {
        const [{ signedHeaders }, { Random, randomSeed }, { resolveSecrets }] = await Promise.all([
          import('@webhook-contracts/webhooks'),
          import('../generators/random.js'),
          import('../options/resolveSecrets.js'),
        ]);
        const secret = resolveSecrets(flags.secret);
        // The exact bytes: no decoding, no trailing-newline trimming.
        const body = flags.file === undefined ? await readStdin() : await readBodyFile(flags.file);
        const headers = signedHeaders({
          secret,
          id: flags.id ?? `msg_${new Random(randomSeed() + Date.now()).base62(24)}`,
          timestamp: flags.timestamp ?? Math.floor(Date.now() / 1000),
          body,
        });
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(headers)}\n`
            : `${Object.entries(headers)
                .map(([name, value]) => `${name}: ${value}`)
                .join('\n')}\n`,
        );
      },
    );
}
