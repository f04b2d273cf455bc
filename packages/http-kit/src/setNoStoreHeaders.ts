import type { ServerResponse } from 'node:http';

/**
 * The headers of every dynamic answer: stored events, runs, errors, health and metrics are private
 * and change from one request to the next, so no cache (a proxy's or the browser's) may keep them,
 * and no browser may sniff a JSON or NDJSON body into something it would run.
 */
const noStoreHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * Sets the no-store and nosniff headers on an answer not yet started (a later `cache-control`, as
 * for the inspector's hashed files, still wins).
 *
 * @example
 * app.use((_req, res, next) => { setNoStoreHeaders(res); next(); });
 */
export function setNoStoreHeaders(res: ServerResponse): void {
  res.setHeader('cache-control', noStoreHeaders['cache-control']);
  res.setHeader('x-content-type-options', noStoreHeaders['x-content-type-options']);
}
