// The bounds of the receiver's read-API parameters. The receiver enforces them (400 invalid_query)
// and the OpenAPI publishes them, both from here.

/**
 * The longest accepted value of each free-text read-API parameter, in characters (UTF-16 code
 * units). Whop's ids (`msg_…`, `user_…`, `cors_…`) are under 40 characters and its event types
 * under 64, so 256 leaves room without letting a client hand the database a 16 KiB string. A
 * cursor carries the (user, course) pair that ended a /progress page, base64url-encoded: 4096
 * holds any pair of ids of 256 characters, even escaped. The other parameters (`status`, `limit`,
 * `since`, `until`) must match their own syntax, which bounds them.
 */
export const parameterMaxLength = {
  webhook_id: 256,
  type: 256,
  user_id: 256,
  course_id: 256,
  membership_id: 256,
  cursor: 4096,
  /** A forwarding destination's name (`nats`, `amqp`, `http`). */
  destination: 16,
} as const;

/** `limit` of a paged list (GET /events, GET /progress): its bounds and its value when absent. */
export const pageLimit = { minimum: 1, maximum: 500, default: 50 } as const;

/** Most values in one comma-list filter (`type=a,b` of GET /events/export). */
export const maxFilterValues = 100;

/**
 * `since` and `until` of GET /events/export: an ISO 8601 date-time with its offset (seconds and
 * fraction optional). A bare date or a local time would mean a different instant on every machine.
 */
export const instantPattern =
  '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:[Zz]|[+-]\\d{2}:\\d{2})$';

/**
 * Forwarding's bounded counts and batches. A dead-letter re-forward takes at most `batch` rows per
 * request (one short transaction; the answer's next_cursor says where the next one starts). The
 * backlog summary counts each destination's pending and dead rows up to `backlogCount`, and a
 * dead-letter page counts the rows its filters match up to `matchingCount`: past them a count is
 * reported as capped (the webhook_forward_backlog metric has the exact figure). Counting stops
 * there so that a scrape of the page costs the same on any backlog.
 */
export const forwardingLimits = {
  batch: 10_000,
  backlogCount: 10_000,
  matchingCount: 1_000,
  /** Longest event-type pattern (`payment.*`), in a `type` filter and in FORWARD_<KIND>_TYPES. */
  typePattern: 200,
} as const;
