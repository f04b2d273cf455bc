// Where a replay reads its events: an export file, stdin (`-`), or a receiver's
// `GET /events/export` stream. A URL is fetched with no redirects followed, a bearer token if
// given, the filters as query parameters (the receiver filters; the reader filters again), and
// time limits on the answer and on each silence in the stream.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SenderConfigError } from '../errors.js';
import type { ExportFilter } from './exportReader.js';

export interface SourceOptions {
  /** Bearer token for a receiver URL (its RECEIVER_API_TOKEN). */
  token?: string | undefined;
  filter?: ExportFilter | undefined;
  /** Standard input, for `-`. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** How long the receiver may take to answer, and to go silent mid-stream (default 30 s). */
  idleTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** How messages name the source option: `--from` or `from`. */
  name?: string | undefined;
}

export type SourceKind = 'stdin' | 'file' | 'url';

export const sourceKind = (from: string): SourceKind =>
  from === '-' ? 'stdin' : /^https?:\/\//i.test(from) ? 'url' : 'file';

/** The export URL of a receiver base URL, with the filters as query parameters. */
export function exportUrl(base: string, filter: ExportFilter = {}): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/events/export`;
  if (filter.types !== undefined) url.searchParams.set('type', filter.types.join(','));
  if (filter.statuses !== undefined) url.searchParams.set('status', filter.statuses.join(','));
  if (filter.sinceMs !== undefined) url.searchParams.set('since', new Date(filter.sinceMs).toISOString());
  if (filter.untilMs !== undefined) url.searchParams.set('until', new Date(filter.untilMs).toISOString());
  return url;
}

/** Checks a file source up front, so a typo is a usage error before anything is sent. */
export async function checkFileSource(path: string, name = '--from'): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    throw new SenderConfigError(
      'invalid_option',
      `${name} ${path}: no such file (pass an export file, - or a receiver URL)`,
    );
  }
}

/** Opens the source as a byte stream. */
export async function openSource(from: string, options: SourceOptions = {}): Promise<AsyncIterable<Buffer>> {
  const kind = sourceKind(from);
  if (kind === 'stdin') return (options.stdin ?? process.stdin) as AsyncIterable<Buffer>;
  if (kind === 'file') {
    await checkFileSource(from, options.name);
    return createReadStream(from);
  }
  return fetchExport(exportUrl(from, options.filter), options);
}

function fetchExport(url: URL, options: SourceOptions): Promise<IncomingMessage> {
  const name = options.name ?? '--from';
  const idle = options.idleTimeoutMs ?? 30_000;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: {
        accept: 'application/x-ndjson',
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    req.setTimeout(idle, () =>
      req.destroy(new SenderConfigError('invalid_source', `${name} ${url.origin}: no answer for ${idle} ms`)),
    );
    req.once('error', (cause) =>
      reject(
        cause instanceof SenderConfigError
          ? cause
          : new SenderConfigError('invalid_source', `${name} ${url.origin}: ${cause.message}`, undefined, {
              cause,
            }),
      ),
    );
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        res.resume();
        req.destroy();
        const hint =
          status === 401 || status === 403
            ? options.token === undefined
              ? ': pass the receiver API token (--token or RECEIVER_API_TOKEN)'
              : ": it refused the token given (--token or RECEIVER_API_TOKEN): pass that receiver's own RECEIVER_API_TOKEN"
            : status === 404
              ? ': is this the receiver base URL (its GET /events/export)?'
              : '';
        reject(
          new SenderConfigError(
            'invalid_source',
            `${name} ${url.origin}${url.pathname} answered ${status}${hint}`,
          ),
        );
        return;
      }
      // A stream that goes silent for `idle` ms ends the replay with an error, not a hang.
      res.setTimeout(idle, () =>
        res.destroy(
          new SenderConfigError(
            'invalid_source',
            `${name} ${url.origin}: the export stream stalled for ${idle} ms`,
          ),
        ),
      );
      resolve(res);
    });
    req.end();
  });
}
