// The receiver's settings, each once: environment variable, flag, type, default, range and help.
// loadConfig reads this table, `--help` lists it, and docs/reference/receiver-settings.md is
// generated from it (`npm run generate`). A new setting is one entry here plus its consumer.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { bearerTokenPattern, bearerTokenRule } from '@webhook-contracts/http-kit/bearerToken';
import { decodeKeys, decodeSecret, parseSecretList } from '@webhook-contracts/webhooks/secrets';
import {
  amqpExchangeProblem,
  maxBrokerNameLength,
  maxForwardUrlLength,
  maxTypePatterns,
  natsStreamProblem,
  natsSubjectProblem,
  typeListProblem,
} from './forwarding/forwardingNames.js';
import { typePatternMaxLength } from './forwarding/typePattern.js';
import { type DatabaseLocation, parseDatabaseUrl, postgresSchemaPattern } from './store/parseDatabaseUrl.js';

/** Where a raw value came from: the flag (`--port`) or the environment variable (`PORT`). */
export interface SettingSource {
  value: string;
  from: string;
}

/** What a reader may use: the working folder, the values read before it, and the issue list. */
export interface ReadContext {
  cwd: string;
  /** Settings earlier in the table, already read (their defaults when they were wrong). */
  earlier: Readonly<Record<string, unknown>>;
  issues: string[];
}

export interface Setting<T> {
  env: string;
  /** commander syntax: `--port <port>`. */
  flag: string;
  help: string;
  /** The default as a reader sees it in --help and the settings reference page. */
  shownDefault: string;
  /** Allowed values in words, for --help and the reference page (omitted when the help says it all). */
  shownRange?: string;
  /** Turns the raw value (undefined when unset) into the typed one; mistakes go to ctx.issues. */
  read(source: SettingSource | undefined, ctx: ReadContext): T;
}

export type SettingValue<S> = S extends Setting<infer T> ? T : never;

const flagName = (flag: string): string => flag.split(' ')[0] ?? flag;

function wholeNumber(
  source: SettingSource,
  min: number,
  max: number,
  expected: string,
  issues: string[],
): number | undefined {
  const value = source.value.trim();
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  issues.push(`${source.from} is "${source.value}": expected ${expected}`);
  return undefined;
}

interface IntegerSpec {
  env: string;
  flag: string;
  help: string;
  default: number;
  min: number;
  max: number;
  /** `seconds`, `bytes`, `milliseconds`: named in the error message. */
  unit?: string;
  /** The error's "expected …" text when the plain range says too little. */
  expected?: (earlier: Readonly<Record<string, unknown>>) => string;
  shownRange?: string;
  /** A rule across settings, checked once this one is read: the problem, or undefined. */
  check?: (value: number, earlier: Readonly<Record<string, unknown>>) => string | undefined;
}

function integer(spec: IntegerSpec): Setting<number> {
  return {
    env: spec.env,
    flag: spec.flag,
    help: spec.help,
    shownDefault: String(spec.default),
    shownRange: spec.shownRange ?? `${spec.min}–${spec.max}`,
    read(source, { earlier, issues }) {
      const expected =
        spec.expected?.(earlier) ??
        `a whole number${spec.unit === undefined ? '' : ` of ${spec.unit}`} from ${spec.min} to ${spec.max}`;
      const value =
        source === undefined
          ? spec.default
          : (wholeNumber(source, spec.min, spec.max, expected, issues) ?? spec.default);
      const problem = spec.check?.(value, earlier);
      if (problem !== undefined) issues.push(problem);
      return value;
    },
  };
}

function oneOf<T extends string>(spec: {
  env: string;
  flag: string;
  help: string;
  values: readonly T[];
  default: T;
}): Setting<T> {
  return {
    env: spec.env,
    flag: spec.flag,
    help: spec.help,
    shownDefault: spec.default,
    shownRange: spec.values.join(', '),
    read(source, { issues }) {
      if (source === undefined) return spec.default;
      const value = source.value.trim().toLowerCase();
      if ((spec.values as readonly string[]).includes(value)) return value as T;
      issues.push(`${source.from} is "${source.value}": expected one of ${spec.values.join(', ')}`);
      return spec.default;
    },
  };
}

function text(spec: { env: string; flag: string; help: string; default: string }): Setting<string> {
  return { ...spec, shownDefault: spec.default, read: (source) => source?.value ?? spec.default };
}

/** A string that may be unset (null), e.g. a token whose absence turns a feature off. */
function optionalText(spec: {
  env: string;
  flag: string;
  help: string;
  shownDefault: string;
  shownRange?: string;
  trim?: boolean;
  check?: (value: string, source: SettingSource) => string | undefined;
}): Setting<string | null> {
  return {
    env: spec.env,
    flag: spec.flag,
    help: spec.help,
    shownDefault: spec.shownDefault,
    ...(spec.shownRange === undefined ? {} : { shownRange: spec.shownRange }),
    read(source, { issues }) {
      if (source === undefined) return null;
      const value = spec.trim === true ? source.value.trim() : source.value;
      const problem = spec.check?.(value, source);
      if (problem !== undefined) issues.push(problem);
      return value;
    },
  };
}

const byteCap = 4 * 1024 * 1024 * 1024;

/** The byte limits that must hold at least one delivery of the largest accepted size. */
function atLeastOneBody(spec: { env: string; flag: string; help: string }): Setting<number> {
  return integer({
    ...spec,
    default: 64 * 1024 * 1024,
    min: 1,
    max: byteCap,
    shownRange: `MAX_BODY_BYTES–${byteCap}`,
    expected: (earlier) =>
      `a whole number of bytes from MAX_BODY_BYTES (${earlier.maxBodyBytes}) to ${byteCap}`,
    check: (value, earlier) =>
      value < Number(earlier.maxBodyBytes)
        ? `${spec.env} (${value}) is below MAX_BODY_BYTES (${earlier.maxBodyBytes}): a delivery of the largest ` +
          'accepted size could never be taken; raise it or lower MAX_BODY_BYTES'
        : undefined,
  });
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export const contractModes = ['quarantine', 'strict'] as const;
export type ContractMode = (typeof contractModes)[number];

const secrets: Setting<string[]> = {
  env: 'WEBHOOK_SECRET',
  flag: '--secret <secrets>',
  help:
    "Endpoint secret: `whsec_<base64>`, that base64 alone, or Whop's `ws_…` (used as-is) for `v1` " +
    'signatures; a `whpk_…` ed25519 public key for `v1a`. Several, comma-separated and of either kind, ' +
    'while rotating or migrating. Prefer the env var: flags show in `ps`.',
  shownDefault: '(required)',
  read(source, { issues }) {
    if (source === undefined) {
      issues.push(
        'WEBHOOK_SECRET is not set: pass the endpoint secret (whsec_… or ws_…) or public key (whpk_…) in ' +
          'WEBHOOK_SECRET or --secret; ' +
          'separate several with commas while rotating',
      );
      return [];
    }
    // The library's list reader: the one comma and whitespace rule for every secret setting.
    let list: string[];
    try {
      list = parseSecretList(source.value);
    } catch {
      issues.push(
        `${source.from} holds no secret (only commas or spaces): pass the endpoint secret (whsec_… or ws_…) or public key (whpk_…)`,
      );
      return [];
    }
    list.forEach((secret, i) => {
      const which = list.length > 1 ? ` (secret #${i + 1} of ${list.length})` : '';
      if (secret.startsWith('whsk_')) {
        issues.push(
          `${source.from}${which} is a whsk_ signing key: a receiver holds only the whpk_ public key of the pair ` +
            '(with the signing key it could forge webhooks); pass the whpk_ key and keep whsk_ on the sender',
        );
        return;
      }
      try {
        decodeKeys(secret, 'verify');
      } catch (error) {
        issues.push(`${source.from}${which}: ${(error as Error).message}`);
      }
    });
    return list;
  },
};

/** A FORWARD_<KIND>_TYPES list: exact types or `prefix.*`; unset means every type (null). */
function typeFilter(kind: string): Setting<string[] | null> {
  return {
    env: `FORWARD_${kind}_TYPES`,
    flag: `--forward-${kind.toLowerCase()}-types <types>`,
    help: `Event types forwarded to ${kind === 'HTTP' ? 'the HTTP endpoint' : kind === 'NATS' ? 'NATS' : 'RabbitMQ'}: a comma list, \`prefix.*\` allowed.`,
    shownDefault: 'all',
    shownRange: `1–${maxTypePatterns} types, each at most ${typePatternMaxLength} characters`,
    read(source, { issues }) {
      if (source === undefined) return null;
      const list = source.value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      const problem = typeListProblem(list);
      if (problem !== undefined) issues.push(`${source.from}: ${problem}`);
      return list;
    },
  };
}

/** A stream, subject or exchange name (trimmed), checked by `problem` (the rule in words, or undefined). */
function brokerName(spec: {
  env: string;
  flag: string;
  help: string;
  default: string;
  shownRange: string;
  problem: (value: string) => string | undefined;
}): Setting<string> {
  return {
    env: spec.env,
    flag: spec.flag,
    help: spec.help,
    shownDefault: spec.default,
    shownRange: spec.shownRange,
    read(source, { issues }) {
      if (source === undefined) return spec.default;
      const value = source.value.trim();
      const problem = spec.problem(value);
      if (problem !== undefined) {
        const shown = value.length > 64 ? `${value.slice(0, 64)}… (${value.length} characters)` : value;
        issues.push(`${source.from} is "${shown}": ${problem}`);
      }
      return value;
    },
  };
}

/** A broker or endpoint URL with one of `schemes`; unset turns that destination off. Never echoed with credentials. */
function forwardUrl(spec: {
  env: string;
  flag: string;
  help: string;
  schemes: readonly string[];
}): Setting<string | null> {
  return optionalText({
    env: spec.env,
    flag: spec.flag,
    help: spec.help,
    shownDefault: '(unset: off)',
    shownRange: `${spec.schemes.map((x) => `${x}://`).join(' or ')} URL, at most ${maxForwardUrlLength} characters`,
    trim: true,
    check: (value, source) => {
      // Never echoed: a URL may carry credentials.
      if (value.length > maxForwardUrlLength) {
        return `${source.from} is ${value.length} characters long: at most ${maxForwardUrlLength}`;
      }
      let scheme: string | undefined;
      try {
        scheme = new URL(value).protocol.slice(0, -1);
      } catch {
        scheme = undefined;
      }
      return scheme !== undefined && spec.schemes.includes(scheme)
        ? undefined
        : `${source.from} must be a URL starting with ${spec.schemes.map((x) => `${x}://`).join(' or ')}`;
    },
  });
}

const database: Setting<DatabaseLocation> = {
  env: 'DATABASE_URL',
  flag: '--database-url <url>',
  help: '`sqlite:./path`, `sqlite:///abs/path`, `file:…`, a plain path, or `postgres://` / `postgresql://` (PostgresStore).',
  shownDefault: 'sqlite:<cwd>/.data/receiver.sqlite',
  read(source, { cwd, issues }) {
    const fallback: DatabaseLocation = {
      kind: 'sqlite',
      filename: path.join(cwd, '.data', 'receiver.sqlite'),
    };
    if (source === undefined) return fallback;
    try {
      return parseDatabaseUrl(source.value, cwd);
    } catch (error) {
      issues.push(`${source.from}: ${(error as Error).message}`);
      return fallback;
    }
  },
};

const spoolDirectory: Setting<string | null> = {
  env: 'SPOOL_DIR',
  flag: '--spool-dir <path>',
  help:
    'PostgreSQL: a directory of its own per instance, on a persistent volume. When the store cannot commit ' +
    "a delivery within `SPOOL_AFTER_MS`, it is written (fsync'd) there and answered 200, then drained into " +
    'the store when it answers again. Unset: no spool (an outage answers 503). Not for SQLite.',
  shownDefault: '(off)',
  read(source, { cwd, earlier, issues }) {
    if (source === undefined || source.value.trim() === '') return null;
    const location = earlier.database as DatabaseLocation | undefined;
    if (location?.kind === 'sqlite') {
      issues.push(
        `${source.from} is set but DATABASE_URL is SQLite: the SQLite store is already on the local disk, so there is no spool; unset it or use PostgreSQL`,
      );
      return null;
    }
    return path.resolve(cwd, source.value.trim());
  },
};

/** RECEIVER_HANDLERS: the team's handlers module, as an absolute path (relative to the working folder). */
const handlersModule: Setting<string | null> = {
  env: 'RECEIVER_HANDLERS',
  flag: '--handlers <module>',
  help:
    "A module of your event handlers by type (`export default { 'payment.succeeded': (event) => ({}) }`), run " +
    "beside the read models'; a wrong type name stops start-up with the closest known one.",
  shownDefault: '(unset)',
  read(source, { cwd, issues }) {
    if (source === undefined) return null;
    const file = path.resolve(cwd, source.value.trim());
    if (!existsSync(file))
      issues.push(`${source.from}: no file at ${file}: pass the path of your handlers module`);
    return file;
  },
};

/**
 * Every setting, in the order they are read (a cross-setting rule sits on the later one) and
 * listed. The key is the field of the loaded configuration.
 */
export const settings = {
  secrets,
  port: integer({
    env: 'PORT',
    flag: '--port <port>',
    help: 'TCP port (0 = any free port).',
    default: 3000,
    min: 0,
    max: 65535,
    expected: () => 'a TCP port from 0 to 65535',
  }),
  host: text({
    env: 'HOST',
    flag: '--host <host>',
    help: 'Interface to bind. Loopback by default so a dev run is not exposed; use `0.0.0.0` in containers.',
    default: '127.0.0.1',
  }),
  toleranceSeconds: integer({
    env: 'WEBHOOK_TOLERANCE_SECONDS',
    flag: '--tolerance-seconds <seconds>',
    help: 'Accepted skew of `webhook-timestamp`.',
    default: 300,
    min: 1,
    max: 86_400,
    unit: 'seconds',
  }),
  maxBodyBytes: integer({
    env: 'MAX_BODY_BYTES',
    flag: '--max-body-bytes <bytes>',
    help: "Largest accepted body. Larger bodies get 413 without being buffered (Whop's payloads are about 1 KB).",
    default: 256 * 1024,
    min: 1,
    max: 16 * 1024 * 1024,
    unit: 'bytes',
  }),
  headersTimeoutSeconds: integer({
    env: 'HEADERS_TIMEOUT_SECONDS',
    flag: '--headers-timeout-seconds <seconds>',
    help: 'Headers not complete by then: `408 request_timeout`, connection closed.',
    default: 10,
    min: 1,
    max: 300,
    unit: 'seconds',
  }),
  requestTimeoutSeconds: integer({
    env: 'REQUEST_TIMEOUT_SECONDS',
    flag: '--request-timeout-seconds <seconds>',
    help: 'Whole request (headers and body) not complete by then: `408 request_timeout`, connection closed.',
    default: 30,
    min: 1,
    max: 3600,
    unit: 'seconds',
    shownRange: '1–3600, at least the headers timeout',
    check: (value, earlier) =>
      value < Number(earlier.headersTimeoutSeconds)
        ? `REQUEST_TIMEOUT_SECONDS (${value}) is shorter than HEADERS_TIMEOUT_SECONDS (${earlier.headersTimeoutSeconds}): ` +
          'the whole request cannot take less time than its headers; raise it or lower the headers timeout'
        : undefined,
  }),
  maxConnections: integer({
    env: 'MAX_CONNECTIONS',
    flag: '--max-connections <count>',
    help: 'Open client sockets; new ones beyond it are closed at once.',
    default: 1024,
    min: 1,
    max: 100_000,
  }),
  maxInflightBodyBytes: atLeastOneBody({
    env: 'MAX_INFLIGHT_BODY_BYTES',
    flag: '--max-inflight-body-bytes <bytes>',
    help:
      'Body bytes buffered at once across all requests, counted as they arrive (what a request ' +
      'announces reserves nothing). A chunk that does not fit first cuts bodies arriving for over ' +
      '1 s, oldest first; those, or else its own request, get `503 overloaded`.',
  }),
  minBodyBytesPerSecond: integer({
    env: 'MIN_BODY_BYTES_PER_SECOND',
    flag: '--min-body-bytes-per-second <bytes>',
    help:
      'Slowest accepted body: once the headers are in, a body still arriving must bring this many ' +
      'bytes a second on average over each `BODY_RATE_WINDOW_SECONDS`, else `408 body_too_slow`, ' +
      'connection closed. Senders send a body at once; this cuts sockets that dribble.',
    default: 1024,
    min: 1,
    max: 1024 * 1024,
    unit: 'bytes per second',
  }),
  bodyRateWindowSeconds: integer({
    env: 'BODY_RATE_WINDOW_SECONDS',
    flag: '--body-rate-window-seconds <seconds>',
    help:
      'The window `MIN_BODY_BYTES_PER_SECOND` is averaged over, and the grace a body gets before its ' +
      'first check: a stalled body is cut within 1¼ windows (`REQUEST_TIMEOUT_SECONDS` still bounds ' +
      'the whole request).',
    default: 5,
    min: 1,
    max: 60,
    unit: 'seconds',
  }),
  storeMaxPending: integer({
    env: 'STORE_MAX_PENDING',
    flag: '--store-max-pending <count>',
    help: "Deliveries waiting for the store's next commit; beyond it `503 store_overloaded`.",
    default: 10_000,
    min: 1,
    max: 1_000_000,
  }),
  storeMaxPendingBytes: atLeastOneBody({
    env: 'STORE_MAX_PENDING_BYTES',
    flag: '--store-max-pending-bytes <bytes>',
    help: "Body bytes waiting for the store's next commit; beyond it `503 store_overloaded`.",
  }),
  contractMode: oneOf<ContractMode>({
    env: 'CONTRACT_MODE',
    flag: '--contract-mode <mode>',
    help: '`quarantine`: keep off-contract events (200). `strict`: answer 422, store nothing.',
    values: contractModes,
    default: 'quarantine',
  }),
  logLevel: oneOf<LogLevel>({
    env: 'LOG_LEVEL',
    flag: '--log-level <level>',
    help: 'pino log level.',
    values: logLevels,
    default: 'info',
  }),
  apiToken: optionalText({
    env: 'RECEIVER_API_TOKEN',
    flag: '--api-token <token>',
    help:
      'Bearer token for the read API. **Unset = read API off** (403 `read_api_disabled`). ' +
      'Generate one, e.g. `openssl rand -hex 32`.',
    shownDefault: '(unset)',
    shownRange: '16–512 visible ASCII characters (0x21–0x7E)',
    // The value is never quoted: a near-miss of the real token is still a secret.
    check: (value, source) =>
      bearerTokenPattern.test(value) ? undefined : `${source.from} ${bearerTokenRule}`,
  }),
  maxConcurrentExports: integer({
    env: 'MAX_CONCURRENT_EXPORTS',
    flag: '--max-concurrent-exports <count>',
    help:
      '`GET /events/export` running at once (each holds up to 1 MiB of bodies while its client reads); ' +
      'one more is answered `429 too_many_exports` with `Retry-After: 5`.',
    default: 4,
    min: 1,
    max: 64,
  }),
  leaseMs: integer({
    env: 'PROCESSING_LEASE_MS',
    flag: '--lease-ms <ms>',
    help:
      "How long a claimed event belongs to one instance; a dead instance's claims are retried after it. " +
      'At least twice your slowest handler batch (on PostgreSQL a new row is leased as it is stored and ' +
      'handed over within half the lease); shorter means faster takeover after a crash.',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    unit: 'milliseconds',
  }),
  database,
  databaseSchema: optionalText({
    env: 'DATABASE_SCHEMA',
    flag: '--database-schema <name>',
    help:
      'PostgreSQL: the schema when the URL has no `?schema=`; created if missing. Use one schema per ' +
      'environment (or per test run).',
    shownDefault: 'public',
    trim: true,
    check: (value, source) =>
      postgresSchemaPattern.test(value)
        ? undefined
        : `${source.from}: schema "${value}" is not allowed: use lowercase letters, digits and _ (at most 63), starting with a letter or _`,
  }),
  databasePoolSize: integer({
    env: 'DATABASE_POOL_SIZE',
    flag: '--database-pool-size <count>',
    help:
      "PostgreSQL connections per instance. N instances open up to N × this: keep it under the server's " +
      '`max_connections` (minus admin headroom).',
    default: 10,
    min: 1,
    max: 1000,
  }),
  databaseStartupTimeoutSeconds: integer({
    env: 'DATABASE_STARTUP_TIMEOUT_SECONDS',
    flag: '--database-startup-timeout-seconds <seconds>',
    help:
      'PostgreSQL: at start-up an unreachable server (connection refused, timeout, "starting up") is ' +
      'retried with back-off, logged as a warning each time; then the process exits 2 with the cause. ' +
      '`0` = try once. Wrong credentials or a missing database fail at once.',
    default: 30,
    min: 0,
    max: 3600,
  }),
  databaseLockTimeoutMs: integer({
    env: 'DATABASE_LOCK_TIMEOUT_MS',
    flag: '--database-lock-timeout-ms <ms>',
    help:
      "PostgreSQL: longest wait for a row lock (`lock_timeout`). A dead instance's half-finished " +
      'statement holds its locks until the server drops the connection; this bounds how long it can ' +
      'stall the others. `0` = no limit.',
    default: 5000,
    min: 0,
    max: 3_600_000,
  }),
  spoolDir: spoolDirectory,
  spoolMaxBytes: integer({
    env: 'SPOOL_MAX_BYTES',
    flag: '--spool-max-bytes <bytes>',
    help: 'Budget of the local spool (all its files); a delivery that would pass it gets `503 store_unavailable` as without a spool.',
    default: 1024 ** 3,
    min: 64 * 1024,
    max: 1024 ** 4,
    unit: 'bytes',
  }),
  spoolAfterMs: integer({
    env: 'SPOOL_AFTER_MS',
    flag: '--spool-after-ms <ms>',
    help:
      'With a spool: how long a delivery waits for the store before it is spooled. Keep it well under ' +
      "the sender's attempt timeout (15 s for Whop) so the 200 arrives in time.",
    default: 3000,
    min: 100,
    max: 10_000,
    unit: 'milliseconds',
  }),
  spoolDrainBatch: integer({
    env: 'SPOOL_DRAIN_BATCH',
    flag: '--spool-drain-batch <count>',
    help: 'Spooled deliveries moved into the store per batch (one group-committed insert), oldest first.',
    default: 200,
    min: 1,
    max: 10_000,
  }),
  heapTuning: oneOf<'on' | 'off'>({
    env: 'RECEIVER_HEAP_TUNING',
    flag: '--heap-tuning <on|off>',
    help: "`off` keeps V8's default heap sizing (more memory, a little less CPU; the heap-tuning benchmark measures both).",
    values: ['on', 'off'] as const,
    default: 'on',
  }),
  forwardNatsUrl: forwardUrl({
    env: 'FORWARD_NATS_URL',
    flag: '--forward-nats-url <url>',
    help: 'NATS server to forward every eligible event to, through JetStream, e.g. `nats://127.0.0.1:4222`.',
    schemes: ['nats', 'tls'],
  }),
  forwardNatsStream: brokerName({
    env: 'FORWARD_NATS_STREAM',
    flag: '--forward-nats-stream <name>',
    help: 'JetStream stream; created if missing (subjects `<prefix>.>`, 2-minute duplicate window), used as it is otherwise.',
    default: 'WHOP',
    shownRange: `at most ${maxBrokerNameLength} printable ASCII characters, no spaces, ".", "*", ">", "/" or "\\"`,
    problem: natsStreamProblem,
  }),
  forwardNatsSubject: brokerName({
    env: 'FORWARD_NATS_SUBJECT',
    flag: '--forward-nats-subject <template>',
    help: 'Subject of each message; `{type}` is the event type, and must end it.',
    default: 'whop.{type}',
    shownRange: `tokens of letters, digits, _ and -, then .{type}; at most ${maxBrokerNameLength} characters with the longest type`,
    problem: natsSubjectProblem,
  }),
  forwardNatsTypes: typeFilter('NATS'),
  forwardAmqpUrl: forwardUrl({
    env: 'FORWARD_AMQP_URL',
    flag: '--forward-amqp-url <url>',
    help: 'RabbitMQ to forward every eligible event to, e.g. `amqp://guest:guest@127.0.0.1:5672` (publisher confirms, persistent messages).',
    schemes: ['amqp', 'amqps'],
  }),
  forwardAmqpExchange: brokerName({
    env: 'FORWARD_AMQP_EXCHANGE',
    flag: '--forward-amqp-exchange <name>',
    help: 'Durable topic exchange (declared if missing); the routing key is the event type.',
    default: 'whop',
    shownRange: `1–${maxBrokerNameLength} letters, digits, -, _, . and :; not amq.…`,
    problem: amqpExchangeProblem,
  }),
  forwardAmqpTypes: typeFilter('AMQP'),
  forwardHttpUrl: forwardUrl({
    env: 'FORWARD_HTTP_URL',
    flag: '--forward-http-url <url>',
    help: 'HTTP endpoint to forward every eligible event to, re-signed per Standard Webhooks with FORWARD_HTTP_SECRET.',
    schemes: ['http', 'https'],
  }),
  forwardHttpSecret: {
    ...optionalText({
      env: 'FORWARD_HTTP_SECRET',
      flag: '--forward-http-secret <secret>',
      help: 'Secret the forwarded requests are signed with (`whsec_<base64>`); required with FORWARD_HTTP_URL.',
      shownDefault: '(unset)',
    }),
    read(source, { earlier, issues }) {
      if (source === undefined) {
        if (earlier.forwardHttpUrl !== null) {
          issues.push(
            'FORWARD_HTTP_SECRET is not set: FORWARD_HTTP_URL needs a secret to sign with (whsec_…)',
          );
        }
        return null;
      }
      try {
        decodeSecret(source.value.trim());
      } catch (error) {
        issues.push(`${source.from}: ${(error as Error).message}`);
      }
      return source.value.trim();
    },
  },
  forwardHttpTypes: typeFilter('HTTP'),
  forwardMaxAttempts: integer({
    env: 'FORWARD_MAX_ATTEMPTS',
    flag: '--forward-max-attempts <count>',
    help:
      'Attempts before an event is dead-lettered for a destination (re-forward it with `POST /events/{id}/forward`). ' +
      '`0` = never: a broker outage of any length must not turn events into dead letters.',
    default: 0,
    min: 0,
    max: 1_000_000,
  }),
  forwardTimeoutMs: integer({
    env: 'FORWARD_TIMEOUT_MS',
    flag: '--forward-timeout-ms <ms>',
    help: 'Time limit of a connection to a destination and of each acknowledgement (PubAck, confirm, HTTP answer).',
    default: 10_000,
    min: 100,
    max: 600_000,
    unit: 'milliseconds',
  }),
  handlersModule,
} satisfies Record<string, Setting<unknown>>;

export type SettingKey = keyof typeof settings;
export type SettingValues = { [K in SettingKey]: SettingValue<(typeof settings)[K]> };

/** The flag without its argument: `--port`. */
export function settingFlag(key: SettingKey): string {
  return flagName(settings[key].flag);
}
