// The `:id` of /runs/:id, taken from the raw path: ids are `run_` and base64url, so anything that is
// not percent-encoded UTF-8 of those characters (a `%ZZ`, a NUL, a lone byte, a megabyte of text)
// is a 400 that names the mistake without echoing the value; a well-formed id nobody issued is a 404.
import { HttpError } from '@webhook-contracts/http-kit';

/** Longer than any id the service issues (`run_` + 16), short enough to echo in a 404. */
export const MAX_RUN_ID_CHARS = 64;

const invalid = (why: string) =>
  new HttpError(
    400,
    'invalid_run_id',
    `the run id ${why}: use the id from the 202 answer's run.id (or its Location header)`,
  );

/**
 * The run id in a /runs/ path segment (still percent-encoded), or a 400 HttpError.
 *
 * @example
 * parseRunId('run_abc'); // 'run_abc'
 * parseRunId('%ZZ'); // throws HttpError 400 invalid_run_id
 */
export function parseRunId(segment: string): string {
  // Percent-encoding triples a character at most: past this, the decoded id is too long anyway.
  if (segment.length > MAX_RUN_ID_CHARS * 3) throw invalid(`is longer than ${MAX_RUN_ID_CHARS} characters`);
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw invalid('is not percent-encoded UTF-8');
  }
  if (id === '') throw invalid('is missing');
  if (id.length > MAX_RUN_ID_CHARS) throw invalid(`is longer than ${MAX_RUN_ID_CHARS} characters`);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw invalid('may hold only letters, digits, - and _');
  return id;
}
