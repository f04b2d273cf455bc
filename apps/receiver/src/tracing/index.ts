// Tracing through @opentelemetry/api: the receiver's spans (receive, store, process, forward) and
// the W3C traceparent the store keeps with each event. No SDK here: an application that installs
// one gets the spans; otherwise every call is a no-op.
export { type ForwardedItem, type ForwardResult, traceForward } from './forwardSpan.js';
export { type ProcessedEvent, traceProcessing } from './processSpan.js';
export { type ReceiveAnswer, ReceiveSpan, type TracedDelivery } from './ReceiveSpan.js';
export { receiverTracer, tracerName, tracerVersion } from './receiverTracer.js';
export { formatTraceparent, parseTraceparent, storedTraceContext, traceparentLength } from './traceparent.js';
