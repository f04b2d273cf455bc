// The receiver's wire shapes beside the events: one file per shape, each a TypeBox schema and a
// type of the same name; receiverRoutes ties them to the routes. Add a shape as its own file and
// export it here.
export { DeadLetter, DeadLetterPage } from './DeadLetterPage.js';
export { DestinationHealth } from './DestinationHealth.js';
export { ErrorBody } from './ErrorBody.js';
export { EventError } from './EventError.js';
export { EventPage } from './EventPage.js';
export { EventRecord } from './EventRecord.js';
export { EventStatus } from './EventStatus.js';
export { EventSummary } from './EventSummary.js';
export { ExportLine } from './ExportLine.js';
export { eventStatuses } from './eventStatuses.js';
export { ForwardingState } from './ForwardingState.js';
export { DestinationBacklog, ForwardingSummary } from './ForwardingSummary.js';
export { DeadLettersQueued, ForwardQueued } from './ForwardQueued.js';
export { Health, SpoolHealth } from './Health.js';
export { MembershipPage } from './MembershipPage.js';
export { MembershipRecord } from './MembershipRecord.js';
export { NextCursor } from './NextCursor.js';
export { ProgressPage } from './ProgressPage.js';
export { ProgressRow } from './ProgressRow.js';
export { ReplayQueued } from './ReplayQueued.js';
export {
  forwardingLimits,
  instantPattern,
  maxFilterValues,
  pageLimit,
  parameterMaxLength,
} from './readApiLimits.js';
export {
  type ReceiverRoute,
  type RouteAnswer,
  type RouteParameter,
  receiverRoutes,
  webhookHeaders,
} from './receiverRoutes.js';
export { WebhookAccepted } from './WebhookAccepted.js';
export { WebhookAnswer } from './WebhookAnswer.js';
export { WebhookDuplicate } from './WebhookDuplicate.js';
export { WebhookId } from './WebhookId.js';
export { WebhookQuarantined } from './WebhookQuarantined.js';
export { WebhookUnhandled } from './WebhookUnhandled.js';
