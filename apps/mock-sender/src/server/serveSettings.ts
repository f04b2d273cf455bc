// The serve service's settings, each once: environment variable, flag (none for the secrets: flags
// show in `ps`), help, default and range. readServeSettings reads this table, `serve --help` lists
// it, and its reference page is generated from it (`npm run generate`). Every mistake is reported
// together in one SenderConfigError (the CLI exits 2 with it).
import { bearerTokenPattern, bearerTokenRule } from '@webhook-contracts/http-kit/bearerToken';
import { decodeKeys } from '@webhook-contracts/webhooks/secrets';
import { SenderConfigError } from '../errors.js';
import { resolveSecrets } from '../options/resolveSecrets.js';
import { type HostName, parseHostName } from './allowedHosts.js';
import { generateToken } from './generateToken.js';
import { parseTargetPrefix, type TargetPrefix } from './targetAllowList.js';

export const DEFAULT_MAX_RUNS = 4;
export const MAX_MAX_RUNS = 64;
export const DEFAULT_MAX_RUN_SECONDS = 3600;
/** A day: a staging run that needs longer is a job for the CLI, not for a shared service. */
export const MAX_MAX_RUN_SECONDS = 86_400;

export interface ServeSetting {
  env: string;
  /** commander syntax (`--max-runs <n>`); absent for the secrets, which only the environment takes. */
  flag?: string;
  help: string;
  shownDefault: string;
  shownRange?: string;
}

export const serveSettings = {
  token: {
    env: 'SENDER_API_TOKEN',
    help: 'bearer token every route but /healthz requires',
    shownDefault: 'generated per process, printed once on stderr',
    shownRange: '16–512 visible ASCII characters',
  },
  allowedHosts: {
    env: 'SENDER_ALLOWED_HOSTS',
    flag: '--allowed-hosts <names>',
    help: 'extra Host names the service answers to, comma-separated (name or name:port); the listen address and localhost/127.0.0.1/[::1] on its port always work',
    shownDefault: 'none',
  },
  allowedTargets: {
    env: 'SENDER_ALLOWED_TARGETS',
    flag: '--allowed-targets <prefixes>',
    help: "receiver URL prefixes runs may deliver to, comma-separated http(s)://host[:port][/path]; unset: any target, but only with the request's own secret",
    shownDefault: 'any target, own secret only',
  },
  allowedSources: {
    env: 'SENDER_ALLOWED_SOURCES',
    flag: '--allowed-sources <prefixes>',
    help: "receiver base URL prefixes /replay may read exports from with the service's RECEIVER_API_TOKEN, comma-separated; /replay also reads from SENDER_ALLOWED_TARGETS, but with the request's own token only",
    shownDefault: 'none',
  },
  maxRuns: {
    env: 'SENDER_MAX_RUNS',
    flag: '--max-runs <n>',
    help: 'runs (send, replay or check) at once; beyond: 429',
    shownDefault: String(DEFAULT_MAX_RUNS),
    shownRange: `1–${MAX_MAX_RUNS}`,
  },
  maxRunSeconds: {
    env: 'SENDER_MAX_RUN_SECONDS',
    flag: '--max-run-seconds <seconds>',
    help: 'longest a run may take: a send whose schedule (deliveries ÷ rate, plus the retry waits) is longer is refused with 400, and any run still going at the limit is stopped and reported as timed_out',
    shownDefault: String(DEFAULT_MAX_RUN_SECONDS),
    shownRange: `1–${MAX_MAX_RUN_SECONDS}`,
  },
  webhookSecret: {
    env: 'WEBHOOK_SECRET',
    help: "the service's signing secret, used only for SENDER_ALLOWED_TARGETS when a request names no secret",
    shownDefault: 'none',
  },
  receiverToken: {
    env: 'RECEIVER_API_TOKEN',
    help: '/replay sends it, when a request names no token, to sources under SENDER_ALLOWED_SOURCES only: never to a target, nor to where a source redirects',
    shownDefault: 'none',
  },
} as const satisfies Record<string, ServeSetting>;

export type ServeSettingName = keyof typeof serveSettings;

/** The flag part of a setting's commander syntax (`--max-runs`), or undefined when it has none. */
export function settingFlag(setting: ServeSetting): string | undefined {
  return setting.flag?.split(' ')[0];
}

/** Raw flag values by setting name (commander's parse of the flags in the table). */
export type ServeFlags = Partial<Record<ServeSettingName, string | undefined>>;

/** What `mock-sender serve --help` lists under "Settings". */
export function serveSettingsHelp(): string {
  const settings = Object.values(serveSettings) as ServeSetting[];
  const width = Math.max(...settings.map((s) => s.env.length)) + 2;
  const lines = settings.map((s) => {
    const flag = settingFlag(s);
    const facts = [
      flag === undefined ? 'environment only' : `or ${flag}`,
      ...(s.shownRange === undefined ? [] : [s.shownRange]),
      `default: ${s.shownDefault}`,
    ];
    return wrap(`${s.help} (${facts.join('; ')})`, HELP_COLUMNS - 2 - width)
      .map((line, i) => `  ${(i === 0 ? s.env : '').padEnd(width)}${line}`)
      .join('\n');
  });
  return `Settings (environment variable, or its flag, which wins):\n${lines.join('\n')}`;
}

const HELP_COLUMNS = 100;

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The table of the settings for docs/reference/ (see `options/fieldTable.ts`). */
export function serveSettingsTable(): string {
  const rows = (Object.values(serveSettings) as ServeSetting[]).map((s) => {
    const flag = settingFlag(s);
    return [
      `\`${s.env}\``,
      flag === undefined ? '(environment only)' : `\`${flag}\``,
      s.shownRange ?? '',
      s.shownDefault,
      s.help,
    ];
  });
  const header = ['environment', 'flag', 'range', 'default', 'meaning'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface ServeSettings {
  token: string;
  /** True when the token was generated here (the caller prints it once). */
  generatedToken: boolean;
  allowedHosts: HostName[];
  /** Undefined when SENDER_ALLOWED_TARGETS is not set. */
  allowedTargets: TargetPrefix[] | undefined;
  /** Where /replay reads with the service's token; undefined when SENDER_ALLOWED_SOURCES is not set. */
  allowedSources: TargetPrefix[] | undefined;
  maxRuns: number;
  maxRunSeconds: number;
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Reads and checks the serve settings: a flag wins over its environment variable.
 *
 * @throws {SenderConfigError} `invalid_option` listing every bad setting.
 * @example
 * const settings = readServeSettings(process.env, { maxRunSeconds: '600' });
 */
export function readServeSettings(env: NodeJS.ProcessEnv, flags: ServeFlags = {}): ServeSettings {
  const problems: string[] = [];
  /** The raw value and the name a message calls it by (the flag or the variable), or undefined. */
  const raw = (name: ServeSettingName): { value: string; from: string } | undefined => {
    const setting: ServeSetting = serveSettings[name];
    const flag = flags[name];
    if (flag !== undefined) return { value: flag, from: settingFlag(setting) ?? setting.env };
    const value = env[setting.env];
    return value === undefined || value.trim() === '' ? undefined : { value, from: setting.env };
  };

  const rawToken = raw('token')?.value ?? '';
  if (rawToken !== '' && !bearerTokenPattern.test(rawToken))
    problems.push(`SENDER_API_TOKEN ${bearerTokenRule}`);

  const allowedHosts: HostName[] = [];
  const hosts = raw('allowedHosts');
  for (const entry of list(hosts?.value ?? '')) {
    const parsed = parseHostName(entry);
    if (parsed === undefined)
      problems.push(`${hosts?.from}: "${entry}" is not a host name or name:port (e.g. sender.staging)`);
    else allowedHosts.push(parsed);
  }

  const prefixes = (name: 'allowedTargets' | 'allowedSources'): TargetPrefix[] | undefined => {
    const source = raw(name);
    if (source === undefined || source.value.trim() === '') return undefined;
    const parsed: TargetPrefix[] = [];
    for (const entry of list(source.value)) {
      const prefix = parseTargetPrefix(entry);
      if (typeof prefix === 'string') problems.push(`${source.from}: ${prefix}`);
      else parsed.push(prefix);
    }
    return parsed;
  };
  // A target list that is set but names nothing allows nothing (it does not fall back to "any").
  const allowedTargets = prefixes('allowedTargets');
  const sources = prefixes('allowedSources');
  const allowedSources = sources === undefined || sources.length === 0 ? undefined : sources;

  const wholeNumber = (name: 'maxRuns' | 'maxRunSeconds', fallback: number, max: number): number => {
    const source = raw(name);
    if (source === undefined) return fallback;
    const value = source.value.trim();
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= 1 && n <= max) return n;
    problems.push(`${source.from} must be an integer from 1 to ${max}, got "${source.value}"`);
    return fallback;
  };
  const maxRuns = wholeNumber('maxRuns', DEFAULT_MAX_RUNS, MAX_MAX_RUNS);
  const maxRunSeconds = wholeNumber('maxRunSeconds', DEFAULT_MAX_RUN_SECONDS, MAX_MAX_RUN_SECONDS);

  const secret = raw('webhookSecret')?.value;
  if (secret !== undefined) {
    try {
      decodeKeys(resolveSecrets(secret, {}), 'sign');
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
    allowedSources,
    maxRuns,
    maxRunSeconds,
  };
}
