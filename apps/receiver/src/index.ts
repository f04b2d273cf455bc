export {
  type ContractMode,
  HelpShown,
  type LoadConfigInput,
  type LogLevel,
  loadConfig,
  type ReceiverConfig,
} from './config.js';
export { createReceiver, type Receiver, type ReceiverOptions } from './createReceiver.js';
export { ConfigError, HttpError, StoreError, type StoreErrorCode } from './errors.js';
export { createReadApiRouter, type ReadApiOptions } from './http/createReadApiRouter.js';
export {
  createWebhookHandler,
  createWebhookRouter,
  type WebhookRouterOptions,
} from './http/createWebhookRouter.js';
export { bodyAlreadyConsumedMessage } from './http/readRawBody.js';
export { type CreateLoggerOptions, createLogger, type Logger } from './logger.js';
export { defaultHandlers, type EventHandler, type EventHandlers } from './processing/EventHandlers.js';
export { lessonProgressHandler } from './processing/lessonProgressHandler.js';
export { Processor, type ProcessorOptions } from './processing/Processor.js';
export { type DeliveryOutcome, ReceiverMetrics } from './ReceiverMetrics.js';
export { type OpenStoreOptions, openStore } from './store/openStore.js';
export { migrations as postgresMigrations } from './store/PostgresMigrations.js';
export { PostgresStore, type PostgresStoreOptions } from './store/PostgresStore.js';
export { type DatabaseLocation, parseDatabaseUrl } from './store/parseDatabaseUrl.js';
export { SqliteStore, type SqliteStoreOptions } from './store/SqliteStore.js';
export type {
  ClaimedEvent,
  CourseProgress,
  EventError,
  EventPage,
  EventStatus,
  EventSummary,
  InsertOutcome,
  LessonCompletion,
  ListEventsQuery,
  NewDelivery,
  ProcessingEffects,
  ProgressQuery,
  SettleItem,
  Settlement,
  Store,
  StoredEvent,
} from './store/Store.js';
export { eventStatuses } from './store/Store.js';
