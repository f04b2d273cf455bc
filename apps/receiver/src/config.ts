// Start-up configuration: environment variables, overridden by the matching command-line flags,
// read once through the settings table (settings.ts). Every mistake is collected and reported at
// once; no message ever echoes a secret or token.
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from './errors.js';
import {
  type SettingKey,
  type SettingSource,
  type SettingValues,
  settingFlag,
  settings,
} from './settings.js';
import type { DatabaseLocation } from './store/parseDatabaseUrl.js';

export { describeDatabase } from './describeDatabase.js';
export { type ContractMode, type LogLevel, logLevels } from './settings.js';

/**
 * The loaded configuration: one field per setting (see settings.ts), plus `databaseUrl`, the
 * store's location as one string for logs. `database` already carries DATABASE_SCHEMA when the
 * URL names no schema, so openStore() needs nothing else to find the store.
 */
export type ReceiverConfig = SettingValues & { databaseUrl: string };

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

/** One setting's --help line: its help, default and range, and the environment variable. */
export function helpLine(key: SettingKey): string {
  const { help, shownDefault, shownRange, env } = settings[key];
  const plain = help.replaceAll('`', '').replaceAll('**', '');
  // A default in words, `(required)` or `(unset)`, is shown as the word.
  const shown = shownDefault.startsWith('(') ? shownDefault.slice(1, -1) : `default ${shownDefault}`;
  const facts = [shown, ...(shownRange === undefined ? [] : [shownRange])];
  return `${plain} (${facts.join('; ')}) [env ${env}]`;
}

/** The commander program behind loadConfig: every setting is a flag, listed in --help. */
export function configCommand(): Command {
  const program = new Command('webhook-receiver')
    .description('Receive signed Whop webhooks: verify, deduplicate, store durably, then process.')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false);
  for (const key of Object.keys(settings) as SettingKey[]) {
    program.addOption(new Option(settings[key].flag, helpLine(key)));
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
  let flags: Record<string, string | undefined> = {};
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<Record<string, string | undefined>>();
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

  const source = (key: SettingKey): SettingSource | undefined => {
    const flag = flags[new Option(settings[key].flag).attributeName()];
    if (flag !== undefined) return { value: flag, from: settingFlag(key) };
    const fromEnv = env[settings[key].env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: settings[key].env };
    return undefined;
  };

  const earlier: Record<string, unknown> = {};
  for (const key of Object.keys(settings) as SettingKey[]) {
    earlier[key] = settings[key].read(source(key), { cwd, earlier, issues });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const values = earlier as SettingValues;
  const database = withSchema(values.database, values.databaseSchema);
  return {
    ...values,
    database,
    databaseUrl: database.kind === 'sqlite' ? `sqlite:${database.filename}` : database.url,
  };
}

/** DATABASE_SCHEMA applies when the PostgreSQL URL names no `?schema=`. */
function withSchema(location: DatabaseLocation, schema: string | null): DatabaseLocation {
  if (location.kind !== 'postgres' || location.schema !== undefined || schema === null) return location;
  return { ...location, schema };
}
