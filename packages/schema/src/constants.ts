// The contract's plain values, for a program's start-up: the event types' names, the statuses of a
// delivery's answer and the read API's limits, importable as `@webhook-contracts/schema/constants`
// without TypeBox or Ajv (the package's main entry builds every schema when imported).
export { eventTypeNames } from './catalog/eventTypeNames.js';
export { answerStatuses } from './readApi/answerStatuses.js';
export {
  forwardingLimits,
  instantPattern,
  maxFilterValues,
  pageLimit,
  parameterMaxLength,
} from './readApi/readApiLimits.js';
