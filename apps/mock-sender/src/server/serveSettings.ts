// The serve service's settings from the environment, checked at start: every mistake is reported
// together in one SenderConfigError (the CLI exits 2 with it).
import { decodeSecret } from '@webhook-contracts/webhooks';
import { SenderConfigError } from '../errors.js';
import { resolveSecrets } from '../secrets.js';
import { type HostName, parseHostName } from './allowedHosts.js';
import { generateToken } from './bearerToken.js';
import { parseTargetPrefix, type TargetPrefix } from './targetAllowList.js';

export const DEFAULT_MAX_RUNS = 4;
export const MAX_MAX_RUNS = 64;

/** What `mock-sender serve --help` lists under "Environment". */
export const serveEnvironmentHelp = `Environment:
  SENDER_API_TOKEN        bearer token every route but /healthz requires (16-512 visible ASCII
                          characters); unset: a random one is generated and printed once on stderr
  SENDER_ALLOWED_HOSTS    extra Host names the service answers to, comma-separated (name or
                          name:port); the listen address and localhost/127.0.0.1/[::1] on its port
                          always work
  SENDER_ALLOWED_TARGETS  receiver URL prefixes /send and /check may deliver to, comma-separated
                          (http(s)://host[:port][/path]); unset: any target, but only with the
                          request's own secret
  SENDER_ALLOWED_SOURCES  receiver base URL prefixes /replay may read exports from, comma-separated,
                          besides SENDER_ALLOWED_TARGETS; with neither set, /replay reads nothing
  SENDER_MAX_RUNS         runs at once (1-${MAX_MAX_RUNS}, default ${DEFAULT_MAX_RUNS}); beyond: 429
  WEBHOOK_SECRET          the service's signing secret, used only for SENDER_ALLOWED_TARGETS
  RECEIVER_API_TOKEN      token /replay sends to an allowed source when the request names none`;

export interface ServeSettings {
  token: string;
  /** True when the token was generated here (the caller prints it once). */
  generatedToken: boolean;
  allowedHosts: HostName[];
  /** Undefined when SENDER_ALLOWED_TARGETS is not set. */
  allowedTargets: TargetPrefix[] | undefined;
  /** Where /replay may read besides the allowed targets; undefined when SENDER_ALLOWED_SOURCES is not set. */
  allowedSources: TargetPrefix[] | undefined;
  maxRuns: number;
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Reads and checks the serve settings.
 *
 * @throws {SenderConfigError} `invalid_option` listing every bad setting.
 * @example
 * const settings = readServeSettings(process.env);
 */
export function readServeSettings(env: NodeJS.ProcessEnv): ServeSettings {
  const problems: string[] = [];

  const rawToken = env['SENDER_API_TOKEN'] ?? '';
  if (rawToken !== '' && !/^[\x21-\x7e]{16,512}$/.test(rawToken)) {
    problems.push(
      'SENDER_API_TOKEN must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
    );
  }

  const allowedHosts: HostName[] = [];
  for (const entry of list(env['SENDER_ALLOWED_HOSTS'] ?? '')) {
    const parsed = parseHostName(entry);
    if (parsed === undefined)
      problems.push(`SENDER_ALLOWED_HOSTS: "${entry}" is not a host name or name:port (e.g. sender.staging)`);
    else allowedHosts.push(parsed);
  }

  let allowedTargets: TargetPrefix[] | undefined;
  const rawTargets = env['SENDER_ALLOWED_TARGETS'];
  if (rawTargets !== undefined && rawTargets.trim() !== '') {
    allowedTargets = [];
    for (const entry of list(rawTargets)) {
      const parsed = parseTargetPrefix(entry);
      if (typeof parsed === 'string') problems.push(`SENDER_ALLOWED_TARGETS: ${parsed}`);
      else allowedTargets.push(parsed);
    }
  }

  const allowedSources: TargetPrefix[] = [];
  for (const entry of list(env['SENDER_ALLOWED_SOURCES'] ?? '')) {
    const parsed = parseTargetPrefix(entry);
    if (typeof parsed === 'string') problems.push(`SENDER_ALLOWED_SOURCES: ${parsed}`);
    else allowedSources.push(parsed);
  }

  let maxRuns = DEFAULT_MAX_RUNS;
  const rawMaxRuns = env['SENDER_MAX_RUNS'];
  if (rawMaxRuns !== undefined && rawMaxRuns.trim() !== '') {
    maxRuns = Number(rawMaxRuns);
    if (!/^\d+$/.test(rawMaxRuns.trim()) || maxRuns < 1 || maxRuns > MAX_MAX_RUNS)
      problems.push(`SENDER_MAX_RUNS must be an integer from 1 to ${MAX_MAX_RUNS}, got "${rawMaxRuns}"`);
  }

  const secret = env['WEBHOOK_SECRET'];
  if (secret !== undefined && secret.trim() !== '') {
    try {
      for (const one of resolveSecrets(secret, {})) decodeSecret(one);
    } catch (error) {
      problems.push(`WEBHOOK_SECRET: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (problems.length > 0) {
    throw new SenderConfigError('invalid_option', `serve settings: ${problems.join('; ')}`);
  }
  return {
    token: rawToken === '' ? generateToken() : rawToken,
    generatedToken: rawToken === '',
    allowedHosts,
    allowedTargets,
    allowedSources: allowedSources.length === 0 ? undefined : allowedSources,
    maxRuns,
  };
}
