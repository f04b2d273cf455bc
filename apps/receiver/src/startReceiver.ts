// The receiver program's work after its configuration is read: store, spool, handlers, logging,
// the HTTP server and graceful shutdown. runReceiver loads it only then, so `--help` and a
// configuration error load none of it.
import type { Server } from 'node:http';
import { listenFailure } from '@webhook-contracts/http-kit';
import type { ReceiverConfig } from './config.js';
import { createReceiver } from './createReceiver.js';
import { describeDatabase } from './describeDatabase.js';
import { ConfigError, ListenError } from './errors.js';
import { forwardingFromConfig } from './forwarding/forwardingFromConfig.js';
import { createHttpServer } from './http/createHttpServer.js';
import { createLogger, type Logger } from './logging/logger.js';
import { combineHandlers, defaultHandlers, type EventHandlers } from './processing/EventHandlers.js';
import { loadHandlersModule } from './processing/loadHandlersModule.js';
import type { RunningReceiver } from './runReceiver.js';
import { Spool } from './spool/Spool.js';
import { openStore } from './store/openStore.js';
import { tuneHeap } from './tuneHeap.js';

/**
 * Opens the store (and the spool), builds the receiver and listens: what runReceiver does once the
 * configuration is read.
 */
export async function startReceiver(
  config: ReceiverConfig,
  extraHandlers: EventHandlers = {},
): Promise<RunningReceiver> {
  const fromModule = config.handlersModule === null ? {} : await loadHandlersModule(config.handlersModule);
  const handlers = combineHandlers(defaultHandlers, fromModule, extraHandlers);

  const logger = createLogger({ level: config.logLevel });
  const forwarding = await forwardingFromConfig(config);
  const store = await openStore(config.database, {
    maxPending: config.storeMaxPending,
    maxPendingBytes: config.storeMaxPendingBytes,
    poolSize: config.databasePoolSize,
    startupTimeoutMs: config.databaseStartupTimeoutSeconds * 1000,
    lockTimeoutMs: config.databaseLockTimeoutMs,
    outboxRoutes: forwarding.routes,
    onStartupRetry: (error, attempt, delayMs) =>
      logger.warn(
        { err: error, attempt, retryInMs: delayMs },
        'database not reachable yet; retrying (DATABASE_STARTUP_TIMEOUT_SECONDS bounds the wait)',
      ),
  });
  const spool = await openSpool(config, logger).catch(async (error: unknown) => {
    await store.close().catch(() => {});
    throw error;
  });

  const receiver = createReceiver({
    store,
    ...(spool === undefined
      ? {}
      : { spool: { spool, spoolAfterMs: config.spoolAfterMs, drainBatchSize: config.spoolDrainBatch } }),
    secret: config.secrets,
    contractMode: config.contractMode,
    maxBodyBytes: config.maxBodyBytes,
    maxInflightBodyBytes: config.maxInflightBodyBytes,
    minBodyRate: {
      bytesPerSecond: config.minBodyBytesPerSecond,
      windowMs: config.bodyRateWindowSeconds * 1000,
    },
    toleranceSeconds: config.toleranceSeconds,
    apiToken: config.apiToken,
    maxConcurrentExports: config.maxConcurrentExports,
    logger,
    handlers,
    processing: { leaseMs: config.leaseMs },
    forwarding: {
      destinations: forwarding.destinations,
      maxAttempts: config.forwardMaxAttempts,
      // A page's publishes each wait at most FORWARD_TIMEOUT_MS; the lease outlasts them.
      leaseMs: 3 * config.forwardTimeoutMs + 5000,
    },
  });

  const server = createHttpServer(receiver, {
    headersTimeoutMs: config.headersTimeoutSeconds * 1000,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    maxConnections: config.maxConnections,
  });
  const port = await listen(server, config).catch(async (error: unknown) => {
    await receiver.close().catch(() => {});
    await store.close().catch(() => {});
    await spool?.close().catch(() => {});
    throw error;
  });
  const heapTuned = tuneHeap(config.heapTuning === 'on');
  logger.info(
    {
      host: config.host,
      port,
      ...describeDatabase(config),
      contractMode: config.contractMode,
      readApi: config.apiToken !== null,
      secretCount: config.secrets.length,
      heapTuned,
      forwarding: forwarding.described,
      handledTypes: Object.keys(handlers).length,
      spool: config.spoolDir,
    },
    `webhook receiver listening on http://${config.host}:${port}`,
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      process.off('SIGTERM', onSigterm);
      process.off('SIGINT', onSigint);
      // server.close() only stops new connections: a keep-alive client could go on sending requests
      // on its open one for ever. Every answer from now on closes its connection instead.
      server.prependListener('request', (_req, res) => {
        if (!res.headersSent) res.setHeader('connection', 'close');
      });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await receiver.close();
      await store.close();
      await spool?.close();
      logger.info('shutdown complete');
      logger.flush();
    })();
    return closing;
  };
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests and processing');
    await close();
    process.exit(0);
  };
  const onSigterm = () => void shutdown('SIGTERM');
  const onSigint = () => void shutdown('SIGINT');
  process.once('SIGTERM', onSigterm);
  process.once('SIGINT', onSigint);
  return { url: `http://${config.host}:${port}`, close };
}

/** Opens SPOOL_DIR's spool when it is set; what it recovered is logged. */
async function openSpool(config: ReceiverConfig, logger: Logger): Promise<Spool | undefined> {
  if (config.spoolDir === null) return undefined;
  let opened: Awaited<ReturnType<typeof Spool.open>>;
  try {
    opened = await Spool.open({ dir: config.spoolDir, maxBytes: config.spoolMaxBytes });
  } catch (error) {
    throw new ConfigError(
      [`cannot open the spool in SPOOL_DIR ${config.spoolDir}: ${(error as Error).message}`],
      {
        cause: error,
      },
    );
  }
  logger.info(
    { dir: config.spoolDir, ...opened.recovery },
    opened.recovery.records > 0 ? 'spool opened: draining what it holds into the store' : 'spool opened',
  );
  if (opened.recovery.truncatedBytes > 0) {
    logger.warn(
      { truncatedBytes: opened.recovery.truncatedBytes },
      'spool: cut a torn record off the end of a segment (a write the crash interrupted, never acknowledged)',
    );
  }
  return opened.spool;
}

function listen(server: Server, config: ReceiverConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ListenError(
          listenFailure(error, config.host, config.port, { port: 'PORT (--port)', host: 'HOST (--host)' }),
        ),
      );
    });
    server.once('listening', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : config.port);
    });
    server.listen(config.port, config.host);
  });
}
