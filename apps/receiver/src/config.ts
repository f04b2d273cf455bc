// Start-up configuration: environment variables, overridden by the matching command-line flags.
// Every mistake is collected and reported at once; no message ever echoes a secret or token.
import * as path from 'node:path';
import { decodeSecret, parseSecretList } from '@webhook-contracts/webhooks';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from './errors.js';
import { parseDatabaseUrl } from './store/parseDatabaseUrl.js';

export type ContractMode = 'quarantine' | 'strict';
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface ReceiverConfig {
  /** Endpoint secrets (whsec_… or ws_…); several while rotating. Never log these. */
  secrets: string[];
  port: number;
  host: string;
  /** Always a URL-ish string openStore() understands; the SQLite default is made absolute. */
  databaseUrl: string;
  toleranceSeconds: number;
  maxBodyBytes: number;
  contractMode: ContractMode;
  /** Bearer token for the read API; null turns the read API off. */
  apiToken: string | null;
  logLevel: LogLevel;
  /** How long a claimed event is exclusive to this instance; a dead instance's events are retried after it. */
  leaseMs: number;
  /** A request whose headers are not complete by then is answered 408 and closed. */
  headersTimeoutSeconds: number;
  /** A request (headers and body) not complete by then is answered 408 and closed. */
  requestTimeoutSeconds: number;
  /** Most open client sockets; more are refused by the kernel backlog / closed at once. */
  maxConnections: number;
  /** Bytes of all request bodies being read at once; beyond it new deliveries get 503 `overloaded`. */
  maxInflightBodyBytes: number;
  /** Deliveries waiting for the store's next commit; beyond it 503 `store_overloaded`. */
  storeMaxPending: number;
  /** Body bytes of the deliveries waiting for the store's next commit; beyond it 503 `store_overloaded`. */
  storeMaxPendingBytes: number;
}

export interface LoadConfigInput {
  env?: Record<string, string | undefined>;
  /** Command-line arguments without `node` and the script (process.argv.slice(2)). */
  argv?: readonly string[];
  /** Base folder for the default SQLite file (`<cwd>/.data/receiver.sqlite`). */
  cwd?: string;
}

/** Thrown for --help / --version: the text was written to stdout and the program should exit 0. */
export class HelpShown extends Error {
  override readonly name = 'HelpShown';
}

interface Setting {
  flag: string;
  env: string;
  description: string;
}

const settings = {
  secret: {
    flag: '--secret <secrets>',
    env: 'WEBHOOK_SECRET',
    description:
      'endpoint secret (whsec_…, ws_… or bare Standard Webhooks base64); comma-separated while rotating. Prefer the env var.',
  },
  port: { flag: '--port <port>', env: 'PORT', description: 'TCP port (default 3000)' },
  host: { flag: '--host <host>', env: 'HOST', description: 'interface to bind (default 127.0.0.1)' },
  databaseUrl: {
    flag: '--database-url <url>',
    env: 'DATABASE_URL',
    description: 'sqlite:<path>, file:<path>, a plain path or postgres://… (default .data/receiver.sqlite)',
  },
  toleranceSeconds: {
    flag: '--tolerance-seconds <seconds>',
    env: 'WEBHOOK_TOLERANCE_SECONDS',
    description: 'accepted clock skew for webhook-timestamp (default 300)',
  },
  maxBodyBytes: {
    flag: '--max-body-bytes <bytes>',
    env: 'MAX_BODY_BYTES',
    description: 'largest accepted body in bytes (default 262144, at most 16777216)',
  },
  contractMode: {
    flag: '--contract-mode <mode>',
    env: 'CONTRACT_MODE',
    description: 'quarantine (default: keep off-contract events, answer 200) or strict (answer 422)',
  },
  apiToken: {
    flag: '--api-token <token>',
    env: 'RECEIVER_API_TOKEN',
    description: 'bearer token for the read API; unset turns the read API off',
  },
  logLevel: { flag: '--log-level <level>', env: 'LOG_LEVEL', description: 'pino log level (default info)' },
  leaseMs: {
    flag: '--lease-ms <ms>',
    env: 'PROCESSING_LEASE_MS',
    description:
      'how long a claimed event stays with one instance before another may take it over (default 30000)',
  },
  headersTimeoutSeconds: {
    flag: '--headers-timeout-seconds <seconds>',
    env: 'HEADERS_TIMEOUT_SECONDS',
    description: 'request headers not complete by then: 408 and the connection closed (default 10, 1-300)',
  },
  requestTimeoutSeconds: {
    flag: '--request-timeout-seconds <seconds>',
    env: 'REQUEST_TIMEOUT_SECONDS',
    description:
      'request (headers and body) not complete by then: 408 and the connection closed (default 30, 1-3600, at least the headers timeout)',
  },
  maxConnections: {
    flag: '--max-connections <count>',
    env: 'MAX_CONNECTIONS',
    description: 'most open client connections; more are closed at once (default 1024, 1-100000)',
  },
  maxInflightBodyBytes: {
    flag: '--max-inflight-body-bytes <bytes>',
    env: 'MAX_INFLIGHT_BODY_BYTES',
    description:
      'bytes of all bodies being read at once; beyond it 503 overloaded (default 67108864, from MAX_BODY_BYTES to 4294967296)',
  },
  storeMaxPending: {
    flag: '--store-max-pending <count>',
    env: 'STORE_MAX_PENDING',
    description:
      'deliveries waiting for the next store commit; beyond it 503 store_overloaded (default 10000, 1-1000000)',
  },
  storeMaxPendingBytes: {
    flag: '--store-max-pending-bytes <bytes>',
    env: 'STORE_MAX_PENDING_BYTES',
    description:
      'body bytes waiting for the next store commit; beyond it 503 store_overloaded (default 67108864, from MAX_BODY_BYTES to 4294967296)',
  },
} satisfies Record<string, Setting>;

type Key = keyof typeof settings;

/** The commander program behind loadConfig (exported so main can print the same help). */
export function configCommand(): Command {
  const program = new Command('webhook-receiver')
    .description('Receive signed Whop webhooks: verify, deduplicate, store durably, then process.')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false);
  for (const setting of Object.values(settings)) {
    program.addOption(new Option(setting.flag, `${setting.description} [env ${setting.env}]`));
  }
  return program;
}

/**
 * Reads and validates the receiver's configuration: flags win over environment variables.
 *
 * @throws {ConfigError} listing every problem (exit code 2 in main).
 * @throws {HelpShown} after printing --help.
 * @example
 * const config = loadConfig({ env: process.env, argv: process.argv.slice(2) });
 * console.log(config.port); // 3000
 */
export function loadConfig(input: LoadConfigInput = {}): ReceiverConfig {
  const env = input.env ?? process.env;
  const argv = input.argv ?? process.argv.slice(2);
  const cwd = input.cwd ?? process.cwd();
  const issues: string[] = [];

  const program = configCommand();
  let flags: Partial<Record<Key, string>> = {};
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<Partial<Record<Key, string>>>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        throw new HelpShown('help shown');
      }
      issues.push(`${error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see --help)`);
    } else {
      throw error;
    }
  }

  const raw = (key: Key): { value: string; from: string } | undefined => {
    const flag = flags[key];
    if (flag !== undefined) return { value: flag, from: settings[key].flag.split(' ')[0]! };
    const fromEnv = env[settings[key].env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: settings[key].env };
    return undefined;
  };

  const secrets = readSecrets(raw('secret'), issues);
  const port = readInteger(raw('port'), 3000, 0, 65535, 'a TCP port from 0 to 65535', issues);
  const host = raw('host')?.value ?? '127.0.0.1';
  const toleranceSeconds = readInteger(
    raw('toleranceSeconds'),
    300,
    1,
    86_400,
    'a whole number of seconds from 1 to 86400',
    issues,
  );
  const maxBodyBytes = readInteger(
    raw('maxBodyBytes'),
    256 * 1024,
    1,
    16 * 1024 * 1024,
    'a whole number of bytes from 1 to 16777216',
    issues,
  );
  const headersTimeoutSeconds = readInteger(
    raw('headersTimeoutSeconds'),
    10,
    1,
    300,
    'a whole number of seconds from 1 to 300',
    issues,
  );
  const requestTimeoutSeconds = readInteger(
    raw('requestTimeoutSeconds'),
    30,
    1,
    3600,
    'a whole number of seconds from 1 to 3600',
    issues,
  );
  if (requestTimeoutSeconds < headersTimeoutSeconds) {
    issues.push(
      `REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds}) is shorter than HEADERS_TIMEOUT_SECONDS (${headersTimeoutSeconds}): ` +
        'the whole request cannot take less time than its headers; raise it or lower the headers timeout',
    );
  }
  const maxConnections = readInteger(
    raw('maxConnections'),
    1024,
    1,
    100_000,
    'a whole number from 1 to 100000',
    issues,
  );
  const byteCap = 4 * 1024 * 1024 * 1024;
  const atLeastBody = (key: 'maxInflightBodyBytes' | 'storeMaxPendingBytes'): number => {
    const value = readInteger(
      raw(key),
      64 * 1024 * 1024,
      1,
      byteCap,
      `a whole number of bytes from MAX_BODY_BYTES (${maxBodyBytes}) to ${byteCap}`,
      issues,
    );
    if (value < maxBodyBytes) {
      issues.push(
        `${settings[key].env} (${value}) is below MAX_BODY_BYTES (${maxBodyBytes}): a delivery of the largest ` +
          'accepted size could never be taken; raise it or lower MAX_BODY_BYTES',
      );
    }
    return value;
  };
  const maxInflightBodyBytes = atLeastBody('maxInflightBodyBytes');
  const storeMaxPending = readInteger(
    raw('storeMaxPending'),
    10_000,
    1,
    1_000_000,
    'a whole number from 1 to 1000000',
    issues,
  );
  const storeMaxPendingBytes = atLeastBody('storeMaxPendingBytes');
  const contractMode = readEnum(raw('contractMode'), 'quarantine', ['quarantine', 'strict'] as const, issues);
  const logLevel = readEnum(raw('logLevel'), 'info', logLevels, issues);
  const apiToken = raw('apiToken')?.value ?? null;
  const leaseMs = readInteger(
    raw('leaseMs'),
    30_000,
    100,
    3_600_000,
    'a whole number of milliseconds from 100 to 3600000',
    issues,
  );

  const db = raw('databaseUrl');
  let databaseUrl = `sqlite:${path.join(cwd, '.data', 'receiver.sqlite')}`;
  if (db !== undefined) {
    try {
      const parsed = parseDatabaseUrl(db.value, cwd);
      databaseUrl = parsed.kind === 'sqlite' ? `sqlite:${parsed.filename}` : db.value;
    } catch (error) {
      issues.push(`${db.from}: ${(error as Error).message}`);
    }
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    secrets,
    port,
    host,
    databaseUrl,
    toleranceSeconds,
    maxBodyBytes,
    contractMode,
    apiToken,
    logLevel,
    leaseMs,
    headersTimeoutSeconds,
    requestTimeoutSeconds,
    maxConnections,
    maxInflightBodyBytes,
    storeMaxPending,
    storeMaxPendingBytes,
  };
}

function readSecrets(source: { value: string; from: string } | undefined, issues: string[]): string[] {
  if (source === undefined) {
    issues.push(
      'WEBHOOK_SECRET is not set: pass the endpoint secret (whsec_… or ws_…) in WEBHOOK_SECRET or --secret; ' +
        'separate several with commas while rotating',
    );
    return [];
  }
  // The library's list reader: the one comma and whitespace rule for every secret setting.
  let secrets: string[];
  try {
    secrets = parseSecretList(source.value);
  } catch {
    issues.push(
      `${source.from} holds no secret (only commas or spaces): pass the endpoint secret (whsec_… or ws_…)`,
    );
    return [];
  }
  secrets.forEach((secret, i) => {
    try {
      decodeSecret(secret);
    } catch (error) {
      const which = secrets.length > 1 ? ` (secret #${i + 1} of ${secrets.length})` : '';
      issues.push(`${source.from}${which}: ${(error as Error).message}`);
    }
  });
  return secrets;
}

function readInteger(
  source: { value: string; from: string } | undefined,
  fallback: number,
  min: number,
  max: number,
  expected: string,
  issues: string[],
): number {
  if (source === undefined) return fallback;
  const value = source.value.trim();
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    issues.push(`${source.from} is "${source.value}": expected ${expected}`);
    return fallback;
  }
  return n;
}

function readEnum<T extends string>(
  source: { value: string; from: string } | undefined,
  fallback: T,
  allowed: readonly T[],
  issues: string[],
): T {
  if (source === undefined) return fallback;
  const value = source.value.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(value)) return value as T;
  issues.push(`${source.from} is "${source.value}": expected one of ${allowed.join(', ')}`);
  return fallback;
}
