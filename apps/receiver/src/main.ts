#!/usr/bin/env node
// Entry point: read config, open the store, listen; SIGTERM/SIGINT shut down gracefully.
import { listenFailure } from '@webhook-contracts/http-kit';
import { HelpShown, loadConfig, type ReceiverConfig } from './config.js';
import { createReceiver } from './createReceiver.js';
import { ConfigError, StoreError } from './errors.js';
import { forwardingFromConfig } from './forwarding/forwardingFromConfig.js';
import { createHttpServer } from './http/createHttpServer.js';
import { createLogger } from './logging/logger.js';
import { Spool } from './spool/Spool.js';
import { openStore } from './store/openStore.js';
import { tuneHeap } from './tuneHeap.js';

async function main(): Promise<void> {
  let config: ReceiverConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof HelpShown) process.exit(0);
    if (error instanceof ConfigError) {
      process.stderr.write(`webhook-receiver: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const logger = createLogger({ level: config.logLevel });
  const forwarding = forwardingFromConfig(config);
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(config.database, {
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
  } catch (error) {
    if (error instanceof StoreError) {
      process.stderr.write(`webhook-receiver: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  let spool: Spool | undefined;
  if (config.spoolDir !== null) {
    try {
      const opened = await Spool.open({ dir: config.spoolDir, maxBytes: config.spoolMaxBytes });
      spool = opened.spool;
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
    } catch (error) {
      process.stderr.write(
        `webhook-receiver: cannot open the spool in SPOOL_DIR ${config.spoolDir}: ${(error as Error).message}\n`,
      );
      await store.close().catch(() => {});
      process.exit(2);
    }
  }

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
  server.listen(config.port, config.host);
  server.once('error', async (error: NodeJS.ErrnoException) => {
    const why = listenFailure(error, config.host, config.port, {
      port: 'PORT (--port)',
      host: 'HOST (--host)',
    });
    process.stderr.write(`webhook-receiver: ${why}\n`);
    await store.close().catch(() => {});
    await spool?.close().catch(() => {});
    process.exit(2);
  });
  server.once('listening', () => {
    const heapTuned = tuneHeap(config.heapTuning === 'on');
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    logger.info(
      {
        host: config.host,
        port,
        database: config.database.kind === 'sqlite' ? config.databaseUrl : 'postgres',
        contractMode: config.contractMode,
        readApi: config.apiToken !== null,
        secretCount: config.secrets.length,
        heapTuned,
        forwarding: forwarding.described,
        spool: config.spoolDir,
      },
      `webhook receiver listening on http://${config.host}:${port}`,
    );
  });

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests and processing');
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
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `webhook-receiver: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
