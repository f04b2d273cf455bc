// The routes that only read: GET /deliveries (recent deliveries), GET /examples (what a run can
// send) and GET /targets (where runs may deliver), the last two for the inspector page.
import { HttpError, writeJson } from '@webhook-contracts/http-kit';
import { knownEventTypes } from '@webhook-contracts/schema';
import { loadExamples } from '../payloads/examples.js';
import type { DeliveryLog } from './DeliveryLog.js';
import type { Routes } from './senderRouter.js';
import type { TargetPrefix } from './targetAllowList.js';

/**
 * @example
 * const routes = readRoutes(deliveries, options.allowedTargets);
 */
export function readRoutes(
  deliveries: DeliveryLog,
  allowedTargets: readonly TargetPrefix[] | undefined,
): Routes {
  return {
    'GET /deliveries': (_req, res, url) => {
      const limitParam = url.searchParams.get('limit');
      const limit = limitParam === null ? undefined : Number(limitParam);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new HttpError(400, 'invalid_request', 'limit must be a positive integer', {
          details: [{ field: 'limit', message: 'must be a positive integer' }],
        });
      }
      const page = deliveries.page(limit);
      writeJson(res, 200, page.truncated ? page : { deliveries: page.deliveries });
    },
    'GET /examples': (_req, res) => {
      const examples = loadExamples().map(({ name, event, kind, description }) => ({
        name,
        event,
        kind,
        description,
      }));
      writeJson(res, 200, { examples, event_types: knownEventTypes });
    },
    'GET /targets': (_req, res) => {
      const targets = allowedTargets?.map((t) => `${t.origin}${t.path === '/' ? '' : t.path}`) ?? null;
      writeJson(res, 200, { allowed_targets: targets });
    },
  };
}
