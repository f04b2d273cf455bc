import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/** One file of an inspector page's build, read at start-up. */
export interface InspectorAsset {
  body: Buffer;
  type: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * An inspector page's build as a fixed map (so no request path ever reaches the file system):
 * index.html at '/', each file of assets/ of a known type at '/assets/<name>'; empty when not built.
 *
 * @example
 * loadInspectorAssets('apps/receiver/inspector/dist').get('/')?.type; // 'text/html; charset=utf-8'
 */
export function loadInspectorAssets(dir: string): Map<string, InspectorAsset> {
  const assets = new Map<string, InspectorAsset>();
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
