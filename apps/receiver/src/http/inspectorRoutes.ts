// GET /inspect/: the inspector page (built by apps/receiver/inspector). The files hold no data and
// load without the token; the page asks for the read-API token and calls the API with it. Only the
// files found in the build at start-up are served (a fixed map, so no path from a request ever
// reaches the file system), under a strict Content-Security-Policy.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Request, type Response, Router } from 'express';
import { sendError } from './sendError.js';

export interface InspectorOptions {
  /** Off (404, as for any unknown path) when the read API has no token. */
  enabled: boolean;
  /** The inspector's build folder; default apps/receiver/inspector/dist. */
  assetsDir?: string;
}

interface Asset {
  body: Buffer;
  type: string;
  cacheControl: string;
}

export const INSPECTOR_CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': INSPECTOR_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

// From src/http/ and from dist/http/ alike, the inspector's build is two folders up.
const defaultAssetsDir = fileURLToPath(new URL('../../inspector/dist/', import.meta.url));

/** index.html at '/', each hashed file of assets/ at '/assets/<name>'; empty when not built. */
export function loadInspectorAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(join(dir, 'index.html'))) return assets;
  assets.set('/', {
    body: readFileSync(join(dir, 'index.html')),
    type: TYPES['.html']!,
    cacheControl: 'no-store',
  });
  const assetsDir = join(dir, 'assets');
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    assets.set(`/assets/${name}`, {
      body: readFileSync(join(assetsDir, name)),
      type,
      // The build puts a content hash in every asset's name: a changed file is a new URL.
      cacheControl: 'public, max-age=31536000, immutable',
    });
  }
  return assets;
}

/**
 * @example
 * app.use('/inspect', inspectorRoutes({ enabled: apiToken !== null }));
 */
export function inspectorRoutes(options: InspectorOptions): Router {
  const router = Router({ strict: true });
  if (!options.enabled) return router;
  const assets = loadInspectorAssets(options.assetsDir ?? defaultAssetsDir);

  router.get('/', (req: Request, res: Response, next) => {
    // /inspect without its slash: the page's relative asset URLs need the folder form.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    next();
  });

  router.get(/.*/, (req: Request, res: Response) => {
    res.set(SECURITY_HEADERS);
    const asset = assets.get(req.path);
    if (asset === undefined) {
      if (assets.size === 0) {
        sendError(res, 404, 'inspector_not_built', 'The inspector page is not built: run `npm run build`');
      } else {
        sendError(res, 404, 'not_found', `No inspector file ${req.path}`);
      }
      return;
    }
    res.set({ 'content-type': asset.type, 'cache-control': asset.cacheControl });
    res.send(asset.body);
  });
  return router;
}
