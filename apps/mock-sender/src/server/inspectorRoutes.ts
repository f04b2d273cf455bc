// GET / and GET /assets/<hashed name>: the inspector page (built by apps/mock-sender/inspector).
// The files hold no data, so they load without the bearer token (the page asks for it and sends
// it on every API call); the Host check still runs first. Only the files found in the build at
// start-up are served: a fixed map, so no request path ever reaches the file system.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  body: Buffer;
  type: string;
  cacheControl: string;
}

export const INSPECTOR_CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

// From src/server/ and from dist/server/ alike, the inspector's build is two folders up.
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
    // The build puts a content hash in every asset's name: a changed file is a new URL.
    assets.set(`/assets/${name}`, {
      body: readFileSync(join(assetsDir, name)),
      type,
      cacheControl: 'public, max-age=31536000, immutable',
    });
  }
  return assets;
}

/**
 * Returns a handler that answers GET/HEAD for the page's files and returns false for anything
 * else (left to the token-guarded routes).
 *
 * @example
 * const serveInspector = inspectorRoutes();
 * if (serveInspector(req, res, url.pathname)) return;
 */
export function inspectorRoutes(
  assetsDir = defaultAssetsDir,
): (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean {
  const assets = loadInspectorAssets(assetsDir);
  return (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const asset = assets.get(pathname);
    if (asset === undefined) return false;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': asset.cacheControl,
      'content-security-policy': INSPECTOR_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
