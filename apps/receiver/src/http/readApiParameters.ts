// The read API's parameters, read strictly from the raw URL before any of them reaches the store.
// Express's query parser turns a bad escape or invalid UTF-8 into U+FFFD and a repeated name into an
// array, and PostgreSQL refuses a NUL in a text value with an error that looks like a dead database:
// every such value is a client's mistake, answered `400 invalid_query` naming the parameter.

import { HttpError, sendError } from '@webhook-contracts/http-kit';
import { instantPattern, maxFilterValues, pageLimit, parameterMaxLength } from '@webhook-contracts/schema';
import type { RequestHandler } from 'express';

/** The longest accepted value of each free-text parameter: the bounds the OpenAPI publishes. */
export { parameterMaxLength };

/** Every parameter a read-API route takes. */
export type ReadApiParameter = keyof typeof parameterMaxLength | 'status' | 'limit' | 'since' | 'until';

/** More parameters than any route reads (six at most), with room for a client's own. */
export const maxQueryParameters = 32;

/** What is wrong with a parameter, as `details[].problem` of the 400 answer. */
export type ParameterProblem =
  | 'malformed_percent_encoding'
  | 'invalid_utf8'
  | 'nul_character'
  | 'too_long'
  | 'repeated'
  | 'too_many_parameters';

/** How a route takes a query parameter: one value, or a comma list (`a,b`) bounded per item. */
export type ParameterShape = 'one' | 'list';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NUL = String.fromCharCode(0);

function invalid(parameter: string, problem: ParameterProblem, message: string): HttpError {
  return new HttpError(400, 'invalid_query', message, { details: [{ parameter, problem }] });
}

/**
 * Percent-decodes `raw` into UTF-8 text, refusing what a lenient decoder would guess at: a `%` not
 * followed by two hex digits, a byte sequence that is not UTF-8 (an overlong form, a lone
 * surrogate like `%ED%A0%80`, a stray `%FF`), and a NUL. In a query `+` is a space; in a path it is
 * itself. `name` is the parameter named in the error.
 *
 * @throws {HttpError} 400 `invalid_query` whose one detail names the parameter and the problem.
 */
export function decodeParameter(raw: string, name: string, plusIsSpace: boolean): string {
  let text = raw;
  if (raw.includes('%') || (plusIsSpace && raw.includes('+'))) {
    const bytes = new Uint8Array(raw.length);
    let length = 0;
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c === 0x25) {
        const byte = /^[0-9a-f]{2}$/i.test(raw.slice(i + 1, i + 3))
          ? Number.parseInt(raw.slice(i + 1, i + 3), 16)
          : -1;
        if (byte === -1) {
          throw invalid(
            name,
            'malformed_percent_encoding',
            `${name} has a "%" not followed by two hex digits: percent-encode the value (encodeURIComponent)`,
          );
        }
        bytes[length++] = byte;
        i += 2;
      } else {
        // Node's HTTP parser lets only printable ASCII into a URL, so every other char is one byte.
        bytes[length++] = c === 0x2b && plusIsSpace ? 0x20 : c;
      }
    }
    try {
      text = utf8.decode(bytes.subarray(0, length));
    } catch {
      throw invalid(
        name,
        'invalid_utf8',
        `${name} is not UTF-8 once percent-decoded: send the value as UTF-8, percent-encoded`,
      );
    }
  }
  if (text.includes(NUL)) {
    throw invalid(
      name,
      'nul_character',
      `${name} contains a NUL character (%00), which no stored value can hold: remove it`,
    );
  }
  return text;
}

function checkLength(value: string, name: ReadApiParameter, shape: ParameterShape): void {
  if (!Object.hasOwn(parameterMaxLength, name)) return;
  const max = parameterMaxLength[name as keyof typeof parameterMaxLength];
  if (shape === 'one' && value.length > max) {
    throw invalid(name, 'too_long', `${name} is ${value.length} characters long: at most ${max}`);
  }
  if (shape === 'list') {
    const longest = value.split(',').reduce((n, item) => Math.max(n, item.length), 0);
    if (longest > max) {
      throw invalid(name, 'too_long', `${name} lists a value of ${longest} characters: each at most ${max}`);
    }
    // The count is checked after the split and de-duplication; this bounds the split itself.
    const listMax = maxFilterValues * (max + 1);
    if (value.length > listMax) {
      throw invalid(name, 'too_long', `${name} is ${value.length} characters long: at most ${listMax}`);
    }
  }
}

/**
 * Reads a request's query string (from its raw URL, e.g. `req.originalUrl`) strictly: every
 * parameter, read or not, must be well-formed (see decodeParameter), there are at most
 * maxQueryParameters, and each one the route reads (`shapes`) is given at most once and within its
 * parameterMaxLength (per item for a list). Parameters the route does not read are ignored.
 *
 * @throws {HttpError} 400 `invalid_query`, with `details: [{ parameter, problem }]`.
 * @example
 * readQuery('/events?type=payment.succeeded&limit=10', { type: 'one', limit: 'one' });
 * // { type: 'payment.succeeded', limit: '10' }
 */
export function readQuery<N extends ReadApiParameter>(
  url: string,
  shapes: Readonly<Record<N, ParameterShape>>,
): Partial<Record<N, string>> {
  const start = url.indexOf('?');
  const pairs =
    start === -1
      ? []
      : url
          .slice(start + 1)
          .split('&')
          .filter((pair) => pair !== '');
  if (pairs.length > maxQueryParameters) {
    throw invalid(
      '(query)',
      'too_many_parameters',
      `The query has ${pairs.length} parameters: at most ${maxQueryParameters}`,
    );
  }
  const values: Partial<Record<N, string>> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = decodeParameter(equals === -1 ? pair : pair.slice(0, equals), '(a parameter name)', true);
    const read = Object.hasOwn(shapes, name);
    // A name the route does not read is the client's text: only its start is echoed.
    const value = decodeParameter(
      equals === -1 ? '' : pair.slice(equals + 1),
      read ? name : name.slice(0, 64),
      true,
    );
    if (!read) continue;
    const known = name as N;
    if (values[known] !== undefined) {
      throw invalid(name, 'repeated', `Give ${name} once, as a plain value`);
    }
    checkLength(value, known, shapes[known]);
    values[known] = value;
  }
  return values;
}

/**
 * Reads one raw path segment (as it arrived, still percent-encoded) the way readQuery reads a
 * value, except that `+` is itself.
 *
 * @throws {HttpError} 400 `invalid_query`, with `details: [{ parameter, problem }]`.
 * @example
 * readPathParameter('msg_%41', 'webhook_id'); // 'msg_A'
 */
export function readPathParameter(raw: string, name: keyof typeof parameterMaxLength): string {
  const value = decodeParameter(raw, name, false);
  checkLength(value, name, 'one');
  return value;
}

/**
 * A page size, 1 to 500 (50 when absent).
 *
 * @throws {HttpError} 400 `invalid_query` for anything else.
 */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return pageLimit.default;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < pageLimit.minimum || n > pageLimit.maximum) {
    throw new HttpError(
      400,
      'invalid_query',
      `limit is "${value}": expected a whole number from ${pageLimit.minimum} to ${pageLimit.maximum}`,
    );
  }
  return n;
}

/**
 * Middleware for a router mounted at `/things`: checks the `:id` segment of `/things/:id…` from the
 * raw path, before Express decodes it (Express would answer a malformed escape itself, and hand a
 * NUL on to the store), and answers `400 invalid_query` naming `name` when it is bad.
 *
 * @example
 * router.use('/events', checkPathParameter('webhook_id'));
 */
export function checkPathParameter(name: keyof typeof parameterMaxLength): RequestHandler {
  return (req, res, next) => {
    const segment = /^\/([^/?]+)/.exec(req.url)?.[1];
    try {
      if (segment !== undefined) readPathParameter(segment, name);
    } catch (error) {
      const { status, code, message, details } = error as HttpError;
      sendError(res, status, code, message, details);
      return;
    }
    next();
  };
}

const isoDateTime = new RegExp(instantPattern);

/**
 * An instant parameter (`since`, `until`): an ISO 8601 date-time with its offset, in ms.
 *
 * @throws {HttpError} 400 `invalid_query` for anything else.
 */
export function parseInstant(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = isoDateTime.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms) || ms < 0) {
    throw new HttpError(
      400,
      'invalid_query',
      `${name} is "${value.slice(0, 64)}": expected an ISO 8601 date-time with its offset, like 2026-01-31T12:00:00Z`,
    );
  }
  return ms;
}

/**
 * `since` (inclusive) and `until` (exclusive) of a received-at window, each optional.
 *
 * @throws {HttpError} 400 `invalid_query` for a malformed instant or a window that ends before it starts.
 * @example
 * parseTimeWindow({ since: '2026-01-01T00:00:00Z' }); // { since: 1767225600000, until: undefined }
 */
export function parseTimeWindow(query: { since?: string; until?: string }): {
  since: number | undefined;
  until: number | undefined;
} {
  const since = parseInstant(query.since, 'since');
  const until = parseInstant(query.until, 'until');
  if (since !== undefined && until !== undefined && since > until) {
    throw new HttpError(400, 'invalid_query', 'since is after until: swap them or widen the window');
  }
  return { since, until };
}
