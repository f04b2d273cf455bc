import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export type DatabaseLocation =
  | { kind: 'sqlite'; filename: string }
  /** `url` without the `schema` query parameter, which is returned as `schema` when present. */
  | { kind: 'postgres'; url: string; schema?: string };

/** Session settings the PostgreSQL store sets on every connection; a URL may not override them. */
const protectedSettings = ['synchronous_commit', 'search_path', 'lock_timeout'] as const;

/** Schema names the PostgreSQL store accepts (unquoted, lowercase PostgreSQL identifiers). */
export const postgresSchemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Understands `sqlite:./path`, `sqlite:///abs/path`, `file:./path`, `file:///abs/path`, plain paths,
 * `:memory:`, and `postgres://` / `postgresql://` URLs (an optional `?schema=name` picks the schema).
 * Relative SQLite paths resolve against `cwd`.
 *
 * @throws {Error} for an empty value or an unknown scheme, with a message saying what is accepted.
 * @example
 * parseDatabaseUrl('sqlite:./data/events.sqlite', '/srv'); // { kind: 'sqlite', filename: '/srv/data/events.sqlite' }
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  const value = url.trim();
  if (value === '')
    throw new Error('the database URL is empty: use sqlite:<path>, a file path or postgres://…');
  if (/^postgres(ql)?:\/\//i.test(value)) return parsePostgresUrl(value);
  if (value === ':memory:' || value === 'sqlite::memory:') return { kind: 'sqlite', filename: ':memory:' };
  let filename: string;
  if (/^file:\/\//i.test(value)) {
    filename = fileURLToPath(value);
  } else if (/^(sqlite|file):/i.test(value)) {
    filename = value.replace(/^(sqlite|file):/i, '');
    // sqlite:///abs/path and sqlite://./rel both appear in the wild: drop the URL authority slashes.
    if (filename.startsWith('//')) filename = filename.slice(2);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(
      `unsupported database scheme "${value.split(':')[0]}": use sqlite:<path>, file:<path>, a plain path or postgres://…`,
    );
  } else {
    filename = value;
  }
  if (filename === '')
    throw new Error('the SQLite path is empty: use sqlite:./.data/receiver.sqlite or a file path');
  return { kind: 'sqlite', filename: path.resolve(cwd, filename) };
}

function parsePostgresUrl(value: string): DatabaseLocation {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch (error) {
    throw new Error('not a valid PostgreSQL URL: use postgres://user:password@host:5432/database', {
      cause: error,
    });
  }
  // pg lets a URL's `options` replace the session settings the store relies on: a commit that
  // does not wait for the WAL flush would break "2xx means durable"; another search_path would
  // write elsewhere; no lock_timeout would let a dead instance's locks stall ingestion.
  const options = (parsed.searchParams.get('options') ?? '').toLowerCase().replaceAll('-', '_');
  const overridden = protectedSettings.filter((name) => options.includes(name));
  if (overridden.length > 0) {
    throw new Error(
      `the URL's options parameter sets ${overridden.join(', ')}, which the receiver sets itself ` +
        '(durable commits, its schema, bounded lock waits): remove them (use ?schema= or DATABASE_SCHEMA for the schema, DATABASE_LOCK_TIMEOUT_MS for the lock timeout)',
    );
  }
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { kind: 'postgres', url: value };
  if (!postgresSchemaPattern.test(schema)) {
    throw new Error(
      `schema "${schema}" is not allowed: use lowercase letters, digits and _ (at most 63), starting with a letter or _`,
    );
  }
  parsed.searchParams.delete('schema');
  return { kind: 'postgres', url: parsed.toString(), schema };
}
