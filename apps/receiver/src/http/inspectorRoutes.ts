// GET /inspect/: the inspector page (built by apps/receiver/inspector), served by the kit's asset
// route. The files hold no data and load without the token; the page asks for the read-API token
// and calls the API with it.
import { fileURLToPath } from 'node:url';
import { inspectorAssets } from '@webhook-contracts/http-kit';
import { type Request, type Response, Router } from 'express';

export interface InspectorOptions {
  /** Off (404, as for any unknown path) when the read API has no token. */
  enabled: boolean;
  /** The inspector's build folder; default apps/receiver/inspector/dist. */
  assetsDir?: string;
}

// From src/http/ and from dist/http/ alike, the inspector's build is two folders up.
const defaultAssetsDir = fileURLToPath(new URL('../../inspector/dist/', import.meta.url));

/**
 * @example
 * app.use('/inspect', inspectorRoutes({ enabled: apiToken !== null }));
 */
export function inspectorRoutes(options: InspectorOptions): Router {
  const router = Router({ strict: true });
  if (!options.enabled) return router;

  router.get('/', (req: Request, res: Response, next) => {
    // /inspect without its slash: the page's relative asset URLs need the folder form.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    next();
  });
  router.use(inspectorAssets({ assetsDir: options.assetsDir ?? defaultAssetsDir, miss: 'not_found' }));
  return router;
}
