// The programmatic API: drive the mock sender from tests and tools without spawning the CLI.
export { type CheckOptions, type CheckReport, type CheckResult, check } from './check/check.js';
export { checkCaseNames, type Expectation, v1aCheckCaseNames } from './check/checkCases.js';
export { formatCheckTable } from './check/formatCheckTable.js';
export { GeneratorError, SenderConfigError, type SenderConfigErrorCode } from './errors.js';
export { type CatalogGenerateOptions, generateCatalogEvents } from './generators/catalogGenerator.js';
export { DEFAULT_EVENT_TYPE, parseEventTypes } from './generators/eventTypes.js';
export { type GenerateOptions, generateEvents } from './generators/generator.js';
export { resolveSecrets } from './options/resolveSecrets.js';
export {
  docsExamples,
  type Example,
  type ExampleKind,
  examplesDir,
  findExample,
  loadExamples,
} from './payloads/examples.js';
export { applyOverrides, type Override, overrideFrom, parseOverride } from './payloads/overrides.js';
export {
  type ExportedEvent,
  type ExportFilter,
  exportedEvents,
} from './replay/exportReader.js';
export { type ReplayOptions, replay } from './replay/replay.js';
export type { ReportLine } from './report/reportWriter.js';
export { formatSummary, type SendSummary } from './report/summary.js';
export type { AttemptRecord, DeliveryResult, FinalStatus } from './sending/deliverEvent.js';
export {
  DEFAULT_RETRY_SCHEDULE,
  type DeliveryRecord,
  type SendOptions,
  send,
  validateSendOptions,
} from './sending/send.js';
export { type HttpTransport, useHttpTransport } from './sending/transport/httpClient.js';
export { createSenderServer, type SenderServerOptions } from './server/createSenderServer.js';
export { userAgent, version } from './version.js';
