// The contract's plain values, for a program's start-up: the event types' names and the read API's
// limits, importable as `@webhook-contracts/schema/constants` without TypeBox or Ajv (the package's
// main entry builds every schema when imported).
export { eventTypeNames } from './catalog/eventTypeNames.js';
export {
  forwardingLimits,
  instantPattern,
  maxFilterValues,
  pageLimit,
  parameterMaxLength,
} from './readApi/readApiLimits.js';
