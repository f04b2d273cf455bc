import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { knownEventTypes } from '@webhook-contracts/schema';
import { generateKeyPair } from '@webhook-contracts/webhooks';
import { describe, expect, it } from 'vitest';
import { configCommand, HelpShown, loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { settings } from './settings.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults when only the secret is set', () => {
    expect(loadConfig({ env: { WEBHOOK_SECRET: secret }, argv: [], cwd: '/srv/app' })).toEqual({
      secrets: [secret],
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:/srv/app/.data/receiver.sqlite',
      toleranceSeconds: 300,
      maxBodyBytes: 262144,
      contractMode: 'quarantine',
      apiToken: null,
      maxConcurrentExports: 4,
      logLevel: 'info',
      leaseMs: 30000,
      headersTimeoutSeconds: 10,
      requestTimeoutSeconds: 30,
      maxConnections: 1024,
      maxInflightBodyBytes: 67108864,
      minBodyBytesPerSecond: 1024,
      bodyRateWindowSeconds: 5,
      storeMaxPending: 10000,
      storeMaxPendingBytes: 67108864,
      database: { kind: 'sqlite', filename: '/srv/app/.data/receiver.sqlite' },
      databaseSchema: null,
      databasePoolSize: 10,
      databaseStartupTimeoutSeconds: 30,
      databaseLockTimeoutMs: 5000,
      spoolDir: null,
      spoolMaxBytes: 1073741824,
      spoolAfterMs: 3000,
      spoolDrainBatch: 200,
      heapTuning: 'on',
      forwardNatsUrl: null,
      forwardNatsStream: 'WHOP',
      forwardNatsSubject: 'whop.{type}',
      forwardNatsTypes: null,
      forwardAmqpUrl: null,
      forwardAmqpExchange: 'whop',
      forwardAmqpTypes: null,
      forwardHttpUrl: null,
      forwardHttpSecret: null,
      forwardHttpTypes: null,
      forwardMaxAttempts: 0,
      forwardTimeoutMs: 10000,
      handlersModule: null,
    });
  });

  it('reads every environment variable', () => {
    const config = loadConfig({
      env: {
        WEBHOOK_SECRET: `${secret}, ws_abc123`,
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_URL: 'sqlite:./db/events.sqlite',
        WEBHOOK_TOLERANCE_SECONDS: '60',
        MAX_BODY_BYTES: '4096',
        CONTRACT_MODE: 'strict',
        RECEIVER_API_TOKEN: 'read-api-token-0123456789',
        MAX_CONCURRENT_EXPORTS: '2',
        LOG_LEVEL: 'debug',
        PROCESSING_LEASE_MS: '5000',
        HEADERS_TIMEOUT_SECONDS: '2',
        REQUEST_TIMEOUT_SECONDS: '3',
        MAX_CONNECTIONS: '50',
        MAX_INFLIGHT_BODY_BYTES: '8192',
        MIN_BODY_BYTES_PER_SECOND: '4096',
        BODY_RATE_WINDOW_SECONDS: '2',
        STORE_MAX_PENDING: '7',
        STORE_MAX_PENDING_BYTES: '9000',
        DATABASE_SCHEMA: 'receiver',
        DATABASE_POOL_SIZE: '3',
        DATABASE_STARTUP_TIMEOUT_SECONDS: '0',
        DATABASE_LOCK_TIMEOUT_MS: '0',
        SPOOL_MAX_BYTES: '1048576',
        SPOOL_AFTER_MS: '2500',
        SPOOL_DRAIN_BATCH: '50',
        RECEIVER_HEAP_TUNING: 'off',
        FORWARD_NATS_URL: 'nats://127.0.0.1:4222',
        FORWARD_NATS_STREAM: 'EVENTS',
        FORWARD_NATS_SUBJECT: 'team.whop.{type}',
        FORWARD_NATS_TYPES: 'membership.*, payment.succeeded',
        FORWARD_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
        FORWARD_AMQP_EXCHANGE: 'events',
        FORWARD_AMQP_TYPES: 'payment.*',
        FORWARD_HTTP_URL: 'https://hooks.example.com/in',
        FORWARD_HTTP_SECRET: secret,
        FORWARD_HTTP_TYPES: 'course_lesson_interaction.completed',
        FORWARD_MAX_ATTEMPTS: '25',
        FORWARD_TIMEOUT_MS: '3000',
      },
      argv: [],
      cwd: '/srv/app',
    });
    expect(config).toEqual({
      secrets: [secret, 'ws_abc123'],
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'sqlite:/srv/app/db/events.sqlite',
      toleranceSeconds: 60,
      maxBodyBytes: 4096,
      contractMode: 'strict',
      apiToken: 'read-api-token-0123456789',
      maxConcurrentExports: 2,
      logLevel: 'debug',
      leaseMs: 5000,
      headersTimeoutSeconds: 2,
      requestTimeoutSeconds: 3,
      maxConnections: 50,
      maxInflightBodyBytes: 8192,
      minBodyBytesPerSecond: 4096,
      bodyRateWindowSeconds: 2,
      storeMaxPending: 7,
      storeMaxPendingBytes: 9000,
      database: { kind: 'sqlite', filename: '/srv/app/db/events.sqlite' },
      databaseSchema: 'receiver',
      databasePoolSize: 3,
      databaseStartupTimeoutSeconds: 0,
      databaseLockTimeoutMs: 0,
      spoolDir: null,
      spoolMaxBytes: 1048576,
      spoolAfterMs: 2500,
      spoolDrainBatch: 50,
      heapTuning: 'off',
      forwardNatsUrl: 'nats://127.0.0.1:4222',
      forwardNatsStream: 'EVENTS',
      forwardNatsSubject: 'team.whop.{type}',
      forwardNatsTypes: ['membership.*', 'payment.succeeded'],
      forwardAmqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      forwardAmqpExchange: 'events',
      forwardAmqpTypes: ['payment.*'],
      forwardHttpUrl: 'https://hooks.example.com/in',
      forwardHttpSecret: secret,
      forwardHttpTypes: ['course_lesson_interaction.completed'],
      forwardMaxAttempts: 25,
      forwardTimeoutMs: 3000,
      handlersModule: null,
    });
  });

  it('resolves SPOOL_DIR against the working folder on PostgreSQL', () => {
    const config = loadConfig({
      env: { WEBHOOK_SECRET: secret, DATABASE_URL: 'postgres://u@h/db', SPOOL_DIR: 'spool' },
      argv: [],
      cwd: '/srv/app',
    });
    expect(config.spoolDir).toBe('/srv/app/spool');
  });

  it('refuses SPOOL_DIR with SQLite, and a spool wait past its bound', () => {
    expect(
      issuesOf(() =>
        loadConfig({
          env: { WEBHOOK_SECRET: secret, SPOOL_DIR: '/var/spool', SPOOL_AFTER_MS: '15000' },
          argv: [],
        }),
      ),
    ).toEqual([
      'SPOOL_DIR is set but DATABASE_URL is SQLite: the SQLite store is already on the local disk, so there is no spool; unset it or use PostgreSQL',
      'SPOOL_AFTER_MS is "15000": expected a whole number of milliseconds from 100 to 10000',
    ]);
  });

  it('refuses forwarding settings it cannot use, naming each, without echoing a URL with credentials', () => {
    const issues = issuesOf(() =>
      loadConfig({
        env: {
          WEBHOOK_SECRET: secret,
          FORWARD_NATS_URL: 'http://127.0.0.1:4222',
          FORWARD_NATS_SUBJECT: 'whop.{type}.x',
          FORWARD_AMQP_URL: 'amqp//guest:hunter2@host',
          FORWARD_AMQP_TYPES: 'payment.*,bad type',
          FORWARD_HTTP_URL: 'https://hooks.example.com/in',
        },
        argv: [],
      }),
    );
    expect(issues).toEqual([
      'FORWARD_NATS_URL must be a URL starting with nats:// or tls://',
      'FORWARD_NATS_SUBJECT is "whop.{type}.x": expected a subject prefix of dot-separated letters, digits, _ and - followed by .{type}, e.g. whop.{type}',
      'FORWARD_AMQP_URL must be a URL starting with amqp:// or amqps://',
      'FORWARD_AMQP_TYPES: "bad type" is not an event type (dot-separated letters, digits, _ and -) or a prefix ending in .* such as payment.*, at most 200 characters',
      'FORWARD_HTTP_SECRET is not set: FORWARD_HTTP_URL needs a secret to sign with (whsec_…)',
    ]);
    expect(issues.join('\n')).not.toContain('hunter2');
  });

  it('bounds the forwarding names, lists and URLs, naming the setting and what it allows', () => {
    const problems = (env: Record<string, string>) =>
      issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: secret, ...env }, argv: [] }));
    const streamRule =
      'expected a JetStream stream name: 1 to 255 printable ASCII characters without spaces, ".", "*", ">", "/" or "\\", e.g. WHOP';
    for (const stream of ['WHOP EVENTS', 'whop.events', 'WHOP*', 'WHOP>', 'a/b', 'a\\b', 'été']) {
      expect(problems({ FORWARD_NATS_STREAM: stream })).toEqual([
        `FORWARD_NATS_STREAM is "${stream}": ${streamRule}`,
      ]);
    }
    expect(problems({ FORWARD_NATS_STREAM: 'S'.repeat(256) })).toEqual([
      `FORWARD_NATS_STREAM is "${'S'.repeat(64)}… (256 characters)": ${streamRule}`,
    ]);
    expect(
      loadConfig({ env: { WEBHOOK_SECRET: secret, FORWARD_NATS_STREAM: 'S'.repeat(255) }, argv: [] })
        .forwardNatsStream,
    ).toBe('S'.repeat(255));

    // 255 characters at most once the longest catalog type is in the subject.
    const longest = knownEventTypes.reduce((a, b) => (b.length > a.length ? b : a), '');
    const fits = `${'p'.repeat(255 - longest.length - 1)}.{type}`;
    expect(
      loadConfig({ env: { WEBHOOK_SECRET: secret, FORWARD_NATS_SUBJECT: fits }, argv: [] })
        .forwardNatsSubject,
    ).toBe(fits);
    expect(problems({ FORWARD_NATS_SUBJECT: `p${fits}` })).toEqual([
      `FORWARD_NATS_SUBJECT is "${`p${fits}`.slice(0, 64)}… (${fits.length + 1} characters)": expected a subject of at most 255 characters with the longest event type (${longest}) in it: it would be 256`,
    ]);
    for (const subject of ['whop.*.{type}', 'whop..{type}', '{type}', 'whop.{type}.>', 'who p.{type}']) {
      expect(problems({ FORWARD_NATS_SUBJECT: subject })).toHaveLength(1);
    }

    for (const exchange of ['my exchange', 'a/b', 'x'.repeat(256), 'ex!']) {
      expect(problems({ FORWARD_AMQP_EXCHANGE: exchange })[0]).toMatch(
        /^FORWARD_AMQP_EXCHANGE is ".*": expected an exchange name of 1 to 255 letters, digits, "-", "_", "." and ":", e.g. whop$/,
      );
    }
    expect(problems({ FORWARD_AMQP_EXCHANGE: 'amq.topic' })).toEqual([
      'FORWARD_AMQP_EXCHANGE is "amq.topic": names starting with "amq." are reserved by RabbitMQ: choose another, e.g. whop',
    ]);
    expect(
      loadConfig({ env: { WEBHOOK_SECRET: secret, FORWARD_AMQP_EXCHANGE: 'team.events:v1' }, argv: [] })
        .forwardAmqpExchange,
    ).toBe('team.events:v1');

    const many = Array.from({ length: 101 }, (_, i) => `type.n${i}`).join(',');
    expect(problems({ FORWARD_NATS_TYPES: many })).toEqual([
      'FORWARD_NATS_TYPES: lists 101 types: at most 100',
    ]);
    expect(problems({ FORWARD_HTTP_TYPES: ',,' })).toEqual([
      'FORWARD_HTTP_TYPES: expected 1 to 100 comma-separated event types, e.g. membership.went_valid,payment.*',
    ]);
    expect(problems({ FORWARD_AMQP_TYPES: `payment.*,${'a'.repeat(201)}` })[0]).toMatch(
      /^FORWARD_AMQP_TYPES: "a{64}" is not an event type/,
    );
    for (const pattern of ['payment.', '*', 'payment.*.x', '.payment']) {
      expect(problems({ FORWARD_AMQP_TYPES: pattern })).toHaveLength(1);
    }

    const long = `https://user:hunter2@hooks.example.com/${'a'.repeat(2048)}`;
    const urls = problems({
      FORWARD_HTTP_URL: long,
      FORWARD_HTTP_SECRET: secret,
      FORWARD_NATS_URL: 'ftp://x',
    });
    expect(urls).toEqual([
      'FORWARD_NATS_URL must be a URL starting with nats:// or tls://',
      `FORWARD_HTTP_URL is ${long.length} characters long: at most 2048`,
    ]);
    expect(urls.join('\n')).not.toContain('hunter2');
  });

  it('gives a PostgreSQL URL without ?schema= the DATABASE_SCHEMA, and keeps the URL one', () => {
    const env = { WEBHOOK_SECRET: secret, DATABASE_SCHEMA: 'tenant_a' };
    expect(loadConfig({ env: { ...env, DATABASE_URL: 'postgres://u@h/db' }, argv: [] }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
      schema: 'tenant_a',
    });
    expect(
      loadConfig({ env, argv: ['--database-url', 'postgres://u@h/db?schema=tenant_b'] }).database,
    ).toEqual({ kind: 'postgres', url: 'postgres://u@h/db', schema: 'tenant_b' });
  });

  it('refuses a PostgreSQL pool size that is not a whole number, with the other database mistakes', () => {
    const issues = issuesOf(() =>
      loadConfig({
        env: {
          WEBHOOK_SECRET: secret,
          DATABASE_URL: 'postgres://localhost/test',
          DATABASE_POOL_SIZE: 'ten',
          DATABASE_SCHEMA: 'Bad-Name',
          DATABASE_LOCK_TIMEOUT_MS: '-1',
        },
        argv: ['--heap-tuning', 'maybe'],
      }),
    );
    expect(issues).toEqual([
      'DATABASE_SCHEMA: schema "Bad-Name" is not allowed: use lowercase letters, digits and _ (at most 63), starting with a letter or _',
      'DATABASE_POOL_SIZE is "ten": expected a whole number from 1 to 1000',
      'DATABASE_LOCK_TIMEOUT_MS is "-1": expected a whole number from 0 to 3600000',
      '--heap-tuning is "maybe": expected one of on, off',
    ]);
  });

  it('makes every setting a flag and lists each in --help with its environment variable', () => {
    const help = configCommand().helpInformation();
    for (const setting of Object.values(settings)) {
      expect(help).toContain(setting.flag);
      expect(help).toContain(`[env ${setting.env}]`);
    }
    expect(
      loadConfig({
        env: { WEBHOOK_SECRET: secret },
        argv: [
          '--database-schema',
          's1',
          '--database-pool-size',
          '4',
          '--database-startup-timeout-seconds',
          '5',
          '--database-lock-timeout-ms',
          '6',
          '--heap-tuning',
          'off',
        ],
      }),
    ).toMatchObject({
      databaseSchema: 's1',
      databasePoolSize: 4,
      databaseStartupTimeoutSeconds: 5,
      databaseLockTimeoutMs: 6,
      heapTuning: 'off',
    });
  });

  it('lets flags win over environment variables', () => {
    const config = loadConfig({
      env: { WEBHOOK_SECRET: 'ws_env', PORT: '1111', CONTRACT_MODE: 'strict' },
      argv: [
        '--secret',
        'ws_flag',
        '--port',
        '2222',
        '--contract-mode',
        'quarantine',
        '--api-token',
        'flag-token-0123456789',
      ],
      cwd: '/x',
    });
    expect(config).toMatchObject({
      secrets: ['ws_flag'],
      port: 2222,
      contractMode: 'quarantine',
      apiToken: 'flag-token-0123456789',
    });
  });

  it('keeps postgres URLs as given for openStore', () => {
    const config = loadConfig({
      env: { WEBHOOK_SECRET: secret, DATABASE_URL: 'postgres://u@h/db' },
      argv: [],
    });
    expect(config.databaseUrl).toBe('postgres://u@h/db');
  });

  it('refuses to start without a secret and says how to give one', () => {
    expect(issuesOf(() => loadConfig({ env: {}, argv: [] }))).toEqual([
      'WEBHOOK_SECRET is not set: pass the endpoint secret (whsec_… or ws_…) or public key (whpk_…) in WEBHOOK_SECRET or --secret; separate several with commas while rotating',
    ]);
    expect(issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: ' , ' }, argv: [] }))[0]).toMatch(
      /holds no secret/,
    );
  });

  it('refuses a made-up dev secret as not a webhook secret, naming the two forms', () => {
    expect(issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: 'my-webhook-secret' }, argv: [] }))).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET: This is not a webhook secret: use whsec_… or ws_…, /),
    ]);
  });

  it('reports every mistake at once without echoing the secret', () => {
    const badSecret = 'whsec_not*base64!';
    const issues = issuesOf(() =>
      loadConfig({
        env: {
          WEBHOOK_SECRET: badSecret,
          PORT: '70000',
          WEBHOOK_TOLERANCE_SECONDS: '-5',
          MAX_BODY_BYTES: '1mb',
          CONTRACT_MODE: 'lenient',
          LOG_LEVEL: 'loud',
          DATABASE_URL: 'mysql://db/x',
        },
        argv: [],
      }),
    );
    expect(issues).toHaveLength(7);
    expect(issues[0]).toMatch(/^WEBHOOK_SECRET: .*base64/);
    expect(issues.slice(1)).toEqual([
      'PORT is "70000": expected a TCP port from 0 to 65535',
      'WEBHOOK_TOLERANCE_SECONDS is "-5": expected a whole number of seconds from 1 to 86400',
      'MAX_BODY_BYTES is "1mb": expected a whole number of bytes from 1 to 16777216',
      'CONTRACT_MODE is "lenient": expected one of quarantine, strict',
      'LOG_LEVEL is "loud": expected one of fatal, error, warn, info, debug, trace, silent',
      'DATABASE_URL: unsupported database scheme "mysql": use sqlite:<path>, file:<path>, a plain path or postgres://…',
    ]);
    expect(issues.join('\n')).not.toContain('not*base64');
  });

  it('reads the connection and load limits from flags and reports their mistakes together', () => {
    const config = loadConfig({
      env: { WEBHOOK_SECRET: secret },
      argv: [
        '--headers-timeout-seconds',
        '4',
        '--request-timeout-seconds',
        '6',
        '--max-connections',
        '9',
        '--max-inflight-body-bytes',
        '300000',
        '--min-body-bytes-per-second',
        '2048',
        '--body-rate-window-seconds',
        '60',
        '--store-max-pending',
        '11',
        '--store-max-pending-bytes',
        '400000',
      ],
    });
    expect(config).toMatchObject({
      headersTimeoutSeconds: 4,
      requestTimeoutSeconds: 6,
      maxConnections: 9,
      maxInflightBodyBytes: 300000,
      minBodyBytesPerSecond: 2048,
      bodyRateWindowSeconds: 60,
      storeMaxPending: 11,
      storeMaxPendingBytes: 400000,
    });
    const issues = issuesOf(() =>
      loadConfig({
        env: {
          WEBHOOK_SECRET: secret,
          HEADERS_TIMEOUT_SECONDS: '20',
          REQUEST_TIMEOUT_SECONDS: '5',
          MAX_CONNECTIONS: '0',
          MAX_BODY_BYTES: '4096',
          MAX_INFLIGHT_BODY_BYTES: '1000',
          MIN_BODY_BYTES_PER_SECOND: '0',
          BODY_RATE_WINDOW_SECONDS: '61',
          STORE_MAX_PENDING: '2000000',
          STORE_MAX_PENDING_BYTES: '99999999999',
        },
        argv: [],
      }),
    );
    expect(issues).toEqual([
      'REQUEST_TIMEOUT_SECONDS (5) is shorter than HEADERS_TIMEOUT_SECONDS (20): the whole request cannot take less time than its headers; raise it or lower the headers timeout',
      'MAX_CONNECTIONS is "0": expected a whole number from 1 to 100000',
      'MAX_INFLIGHT_BODY_BYTES (1000) is below MAX_BODY_BYTES (4096): a delivery of the largest accepted size could never be taken; raise it or lower MAX_BODY_BYTES',
      'MIN_BODY_BYTES_PER_SECOND is "0": expected a whole number of bytes per second from 1 to 1048576',
      'BODY_RATE_WINDOW_SECONDS is "61": expected a whole number of seconds from 1 to 60',
      'STORE_MAX_PENDING is "2000000": expected a whole number from 1 to 1000000',
      'STORE_MAX_PENDING_BYTES is "99999999999": expected a whole number of bytes from MAX_BODY_BYTES (4096) to 4294967296',
    ]);
  });

  it('takes a read API token of 16 to 512 visible ASCII characters, the bounds included', () => {
    for (const token of ['!'.repeat(16), '~'.repeat(512), 'Aa0-_.~!"#$%&()*+,/:;<=>?@[]^{|}`\\']) {
      expect(
        loadConfig({ env: { WEBHOOK_SECRET: secret, RECEIVER_API_TOKEN: token }, argv: [] }).apiToken,
      ).toBe(token);
    }
  });

  it('refuses a read API token that is short, long, spaced or not ASCII, never quoting it', () => {
    const rule = 'must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)';
    for (const token of [
      'a',
      'x'.repeat(15),
      'y'.repeat(513),
      'abc def ghi jkl mno',
      ' padded-token-0123456 ',
      'tab\ttoken-0123456789',
      'tökén-0123456789abc',
    ]) {
      expect(
        issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: secret, RECEIVER_API_TOKEN: token }, argv: [] })),
        JSON.stringify(token),
      ).toEqual([`RECEIVER_API_TOKEN ${rule}`]);
    }
    expect(
      issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: secret }, argv: ['--api-token', 'short-token'] })),
    ).toEqual([`--api-token ${rule}`]);
  });

  it('names which secret of a rotation list is broken', () => {
    const issues = issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: 'ws_good,whsec_' }, argv: [] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^WEBHOOK_SECRET \(secret #2 of 2\): /);
  });

  describe('v1a public keys in WEBHOOK_SECRET', () => {
    const { signingKey, publicKey } = generateKeyPair();

    it('takes a whpk_ key alone or beside v1 secrets in the comma list', () => {
      expect(loadConfig({ env: { WEBHOOK_SECRET: publicKey }, argv: [] }).secrets).toEqual([publicKey]);
      expect(loadConfig({ env: { WEBHOOK_SECRET: `${secret}, ${publicKey}` }, argv: [] }).secrets).toEqual([
        secret,
        publicKey,
      ]);
    });

    it('refuses the whsk_ signing key, saying the receiver needs the public key of the pair', () => {
      const issues = issuesOf(() =>
        loadConfig({ env: { WEBHOOK_SECRET: `${publicKey},${signingKey}` }, argv: [] }),
      );
      expect(issues).toEqual([
        expect.stringMatching(
          /^WEBHOOK_SECRET \(secret #2 of 2\) is a whsk_ signing key: .*pass the whpk_ key/,
        ),
      ]);
      expect(issues[0]).not.toContain(signingKey.slice(5));
    });

    it('refuses a whpk_ key of the wrong length with the library message', () => {
      const short = `whpk_${Buffer.alloc(31).toString('base64')}`;
      expect(issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: short }, argv: [] }))).toEqual([
        expect.stringMatching(
          /^WEBHOOK_SECRET: The whpk_ public key holds 31 bytes; an ed25519 public key is 32 bytes/,
        ),
      ]);
    });
  });

  it('reports an unknown flag as a configuration mistake', () => {
    const issues = issuesOf(() => loadConfig({ env: { WEBHOOK_SECRET: secret }, argv: ['--prot', '1'] }));
    expect(issues).toEqual(["unknown option '--prot' (Did you mean --port?) (see --help)"]);
  });

  it('signals --help so main can exit 0', () => {
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      expect(() => loadConfig({ env: {}, argv: ['--help'] })).toThrow(HelpShown);
    } finally {
      process.stdout.write = write;
    }
  });
});

describe('main (spawned)', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const mainTs = path.join(root, 'apps/receiver/src/main.ts');
  const run = (env: Record<string, string>, args: string[] = []) =>
    spawnSync(tsx, [mainTs, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('exits 2 and lists the mistakes when the configuration is wrong, never printing the secret', () => {
    const result = run({ WEBHOOK_SECRET: 'whsec_sEcReT*value', PORT: 'eighty' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid configuration:');
    expect(result.stderr).toContain('PORT is "eighty"');
    expect(result.stderr).not.toContain('sEcReT');
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a read API token too short or spaced, without printing it', () => {
    for (const token of ['a', 'abc def ghi jkl mno']) {
      const result = run({ WEBHOOK_SECRET: 'ws_abc', RECEIVER_API_TOKEN: token });
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(
        'webhook-receiver: Invalid configuration: RECEIVER_API_TOKEN must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)\n',
      );
      expect(result.stdout).toBe('');
    }
  });

  it('exits 2 saying which database it cannot open', () => {
    const result = run({ WEBHOOK_SECRET: 'ws_abc', DATABASE_URL: 'sqlite:/dev/null/receiver.sqlite' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('/dev/null/receiver.sqlite');
  });
});
