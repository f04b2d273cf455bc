// `mock-sender serve`: reads the settings (flags from the settings table win over the environment),
// builds the server and listens. The work happens in createSenderServer.
// The server (createSenderServer) and the HTTP kit are loaded only when the command runs.
import { Command } from 'commander';
import { SenderConfigError } from '../errors.js';
import { nonNegativeInteger } from '../options/flagParsers.js';
import {
  readServeSettings,
  type ServeFlags,
  type ServeSetting,
  serveSettings,
  serveSettingsHelp,
} from '../server/serveSettings.js';

export function serveCommand(): Command {
  const command = new Command('serve')
    .description(
      'run the sender as an HTTP service: POST /send, POST /replay, POST /check, GET /deliveries, GET /healthz, and a page at /',
    )
    .addHelpText(
      'after',
      '\nSigns with the request\'s "secret", else WEBHOOK_SECRET: whsec_…, ws_…, bare base64 or a whsk_ key (signs v1a); comma-separated while rotating.',
    )
    .option('--port <port>', 'port to listen on', nonNegativeInteger, 4000)
    .option('--host <host>', 'interface to bind', '127.0.0.1');
  // Each setting that has a flag: the value stays text, readServeSettings checks it (exit 2).
  for (const setting of Object.values(serveSettings) as ServeSetting[]) {
    if (setting.flag !== undefined) command.option(setting.flag, `${setting.help} (env ${setting.env})`);
  }
  return command
    .addHelpText('after', `\n${serveSettingsHelp()}`)
    .action(async (flags: { port: number; host: string } & ServeFlags) => {
      const settings = readServeSettings(process.env, flags);
      const [{ createSenderServer }, { listenFailure }] = await Promise.all([
        import('../server/createSenderServer.js'),
        import('@webhook-contracts/http-kit'),
      ]);
      const server = createSenderServer({
        token: settings.token,
        allowedHosts: settings.allowedHosts,
        maxRuns: settings.maxRuns,
        maxRunSeconds: settings.maxRunSeconds,
        ...(settings.allowedSources === undefined ? {} : { allowedSources: settings.allowedSources }),
        ...(settings.allowedTargets === undefined ? {} : { allowedTargets: settings.allowedTargets }),
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => {
          const why = listenFailure(error, flags.host, flags.port, { port: '--port', host: '--host' });
          reject(new SenderConfigError('invalid_option', why, undefined, { cause: error }));
        });
        server.listen(flags.port, flags.host, resolve);
      });
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : flags.port;
      // The generated token is shown this once, on stderr: nothing else ever prints or returns it.
      if (settings.generatedToken) {
        process.stderr.write(
          `mock-sender serve: SENDER_API_TOKEN is not set; this run's bearer token: ${settings.token}\n`,
        );
      }
      if (settings.allowedTargets === undefined) {
        process.stderr.write(
          "mock-sender serve: SENDER_ALLOWED_TARGETS is not set: any target, but only with the request's own secret\n",
        );
      }
      process.stderr.write(
        `mock-sender serve listening on http://${flags.host}:${port} (bearer token required)\n`,
      );
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
