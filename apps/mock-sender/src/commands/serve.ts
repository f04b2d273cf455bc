import { Command } from 'commander';
import { createSenderServer } from '../server/createSenderServer.js';
import { nonNegativeInteger } from './options.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the sender as an HTTP service: POST /send, POST /check, GET /deliveries, GET /healthz')
    .addHelpText(
      'after',
      '\nSigns with the request\'s "secret", else WEBHOOK_SECRET: whsec_…, ws_… or bare base64; comma-separated while rotating.',
    )
    .option('--port <port>', 'port to listen on', nonNegativeInteger, 4000)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => {
      const token = process.env['SENDER_API_TOKEN'];
      const server = createSenderServer(token ? { token } : {});
      await new Promise<void>((resolve) => server.listen(flags.port, flags.host, resolve));
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : flags.port;
      process.stderr.write(
        `mock-sender serve listening on http://${flags.host}:${port}${token ? ' (bearer token required)' : ''}\n`,
      );
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
