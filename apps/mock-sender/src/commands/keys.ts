import { Command } from 'commander';

export function keysCommand(): Command {
  return new Command('keys')
    .description(
      'print a new ed25519 key pair for v1a signatures: whsk_ signs (the sender only), whpk_ verifies (receivers)',
    )
    .option('--json', 'print {"signing_key": "whsk_…", "public_key": "whpk_…"}')
    .action(async (flags: { json?: boolean }) => {
      const { generateKeyPair } = await import('@webhook-contracts/webhooks/secrets');
      const { signingKey, publicKey } = generateKeyPair();
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ signing_key: signingKey, public_key: publicKey })}\n`
          : `signing key (sender's WEBHOOK_SECRET, keep it secret): ${signingKey}\n` +
              `public key (receivers' WEBHOOK_SECRET):               ${publicKey}\n`,
      );
    });
}
