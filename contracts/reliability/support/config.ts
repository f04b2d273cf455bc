// Sizes of each scenario: a default that keeps `npm test` within a few minutes on 2 cores, and a
// longer variant behind `npm run reliability -- --full` (RELIABILITY_FULL=1).
export const full = process.env['RELIABILITY_FULL'] === '1';

export const sizes = {
  /** Fuzzed requests sent to one receiver. */
  fuzzRequests: full ? 20_000 : 2_000,
  /** Distinct events / total deliveries of the duplicate storm. */
  stormEvents: full ? 1_000 : 200,
  stormDeliveries: full ? 10_000 : 2_000,
  /** Events the sender delivers while the receiver is SIGKILLed, and how many kills. */
  crashEvents: full ? 20_000 : 5_000,
  crashKills: full ? 8 : 3,
  /** Events sent at the flapping receiver. */
  flapEvents: full ? 1_000 : 200,
  /** Connections that stall mid-body or mid-headers, and valid events sent meanwhile. */
  slowClients: full ? 900 : 300,
  slowValidEvents: full ? 2_000 : 500,
};
