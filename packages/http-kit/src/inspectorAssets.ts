// The inspector page's files. They hold no data, so they load without the API token (the page asks
// for it and sends it on every API call). Only the files found in the build at start-up are served,
// under a strict Content-Security-Policy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspectorSecurityHeaders } from './inspectorSecurityHeaders.js';
import { loadInspectorAssets } from './loadInspectorAssets.js';
import { sendError } from './sendError.js';

export interface InspectorAssetsOptions {
  /** The page's build folder (index.html and assets/). */
  assetsDir: string;
  /**
   * What a GET for no file of the build gets: `next` leaves it to the routes after this one (the
   * mock sender's token-guarded API); `not_found` answers 404 under the page's headers, saying how
   * to build the page when nothing is built (the receiver, which mounts the page under /inspect).
   */
  miss: 'next' | 'not_found';
}

/**
 * A `(req, res, next)` middleware answering GET and HEAD for the page's files, by the path of
 * `req.url` (under Express, relative to where it is mounted). Other methods go to `next()`.
 *
 * @example
 * app.use('/inspect', inspectorAssets({ assetsDir: 'inspector/dist', miss: 'not_found' }));
 */
export function inspectorAssets(
  options: InspectorAssetsOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const assets = loadInspectorAssets(options.assetsDir);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const asset = assets.get(path);
    if (asset === undefined) {
      if (options.miss === 'next') return next();
      for (const [name, value] of Object.entries(inspectorSecurityHeaders)) res.setHeader(name, value);
      if (assets.size === 0) {
        sendError(res, 404, 'inspector_not_built', 'The inspector page is not built: run `npm run build`');
      } else {
        sendError(res, 404, 'not_found', `No inspector file ${path}`);
      }
      return;
    }
    res.writeHead(200, {
      ...inspectorSecurityHeaders,
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': asset.cacheControl,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
}
