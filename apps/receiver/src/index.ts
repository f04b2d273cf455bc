// The package's public surface: what a user mounts (the receiver, the webhook and read API routers)
// or configures (stores, processor, handlers, logger, metrics, configuration), the errors they
// catch, and types. It loads no PostgreSQL driver: openStore imports it for a postgres:// URL, and
// `@webhook-contracts/receiver/postgres` exports PostgresStore itself.
export {
  type ContractMode,
  type LoadConfigInput,
  type LogLevel,
  loadConfig,
  type ReceiverConfig,
} from './config.js';
export { createReceiver, type Receiver, type ReceiverOptions } from './createReceiver.js';
export { ConfigError, StoreError, type StoreErrorCode } from './errors.js';
export { createReadApiRouter, type ReadApiOptions } from './http/createReadApiRouter.js';
export {
  createWebhookHandler,
  createWebhookRouter,
  type WebhookRouterOptions,
} from './http/createWebhookRouter.js';
export { type CreateLoggerOptions, createLogger, type Logger } from './logging/logger.js';
export {
  combineHandlers,
  defaultHandlers,
  type EventHandler,
  type EventHandlers,
} from './processing/EventHandlers.js';
export { Processor, type ProcessorOptions } from './processing/Processor.js';
export { type DeliveryOutcome, ReceiverMetrics } from './ReceiverMetrics.js';
export {
  type CourseProgress,
  type LessonCompletion,
  type ListProgressQuery,
  lessonProgress,
  type ProgressPage,
  type ProgressQuery,
  type ProgressReader,
} from './readModels/lessonProgress/index.js';
export type { AnyReadModel, EffectBatch, ReadModel, ReadModelOf } from './readModels/ReadModel.js';
export { readModels } from './readModels/readModels.js';
export { type RunningReceiver, type RunReceiverOptions, runReceiver } from './runReceiver.js';
export { Spool, SpoolFullError, type SpoolOptions, type SpoolRecovery } from './spool/Spool.js';
export type {
  ClaimedEvent,
  EventError,
  EventPage,
  EventStatus,
  EventSummary,
  InsertOutcome,
  ListEventsQuery,
  NewDelivery,
  ProcessingEffects,
  SettleItem,
  Settlement,
  Store,
  StoredEvent,
} from './store/core/Store.js';
export { type OpenStoreOptions, openStore } from './store/openStore.js';
export type { DatabaseLocation } from './store/parseDatabaseUrl.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite/SqliteStore.js';
