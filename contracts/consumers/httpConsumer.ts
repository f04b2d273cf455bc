// An HTTP endpoint for the receiver's forwarded events (FORWARD_HTTP_URL), as an Express app. Each
// request is verified with FORWARD_HTTP_SECRET and validated by `Webhook.unwrap` (Standard
// Webhooks, then validateEvent): 401 when it is not authentic; 422 and a report when its body
// breaks the contract (the receiver keeps the event and retries it, dead-lettering it after
// FORWARD_MAX_ATTEMPTS); 204 for a `webhook-id` already handled, without handling it again;
// otherwise it is handled, remembered and answered 204. A handler that throws is answered 503, so
// the receiver retries. Every error answer is `{ "error": { "code", "message" } }`.
import type { ErrorBody } from '@webhook-contracts/schema';
import { Webhook, WebhookPayloadError, WebhookVerificationError } from '@webhook-contracts/webhooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { EventHandler, Rejection } from './ConsumedEvent.js';
import type { SeenIds } from './SeenIds.js';

export interface HttpConsumerOptions {
  /** The receiver's FORWARD_HTTP_SECRET. */
  secret: string;
  seen: SeenIds;
  handle: EventHandler;
  onRejected: (rejection: Rejection) => void;
}

const fail = (res: Response, status: number, code: string, message: string) =>
  res.status(status).json({ error: { code, message } } satisfies ErrorBody);

/** The app: mount it, or `listen` on it; it answers POST / only. */
export function httpConsumer(o: HttpConsumerOptions): express.Express {
  const webhook = new Webhook(o.secret);
  const inFlight = new Set<string>();
  const app = express();
  app.post('/', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    let delivery: ReturnType<Webhook['unwrap']>;
    try {
      delivery = webhook.unwrap(req.headers, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    } catch (error) {
      if (error instanceof WebhookPayloadError)
        o.onRejected({ id: error.delivery.id, reason: error.message });
      if (error instanceof WebhookVerificationError || error instanceof WebhookPayloadError)
        return fail(res, error.status, error.code, error.message);
      throw error;
    }
    const { id } = delivery;
    if (await o.seen.has(id)) return res.sendStatus(204);
    // The receiver retried while the first try still runs: let it come back later.
    if (inFlight.has(id)) return fail(res, 409, 'in_progress', `${id} is being handled`);
    inFlight.add(id);
    const header = (name: string) => req.get(name) ?? '';
    try {
      await o.handle({
        id,
        cloudEvent: {
          type: header('ce-type'),
          source: header('ce-source'),
          time: req.get('ce-time'),
          specversion: header('ce-specversion'),
        },
        payload: delivery,
      });
      await o.seen.add(id);
      res.sendStatus(204);
    } catch {
      fail(res, 503, 'not_handled', `${id} was not handled: retry later`);
    } finally {
      inFlight.delete(id);
    }
  });
  // Express's own errors (a body over the limit, a broken request) in the same shape.
  app.use(
    (error: { status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
      const status =
        error.status !== undefined && error.status >= 400 && error.status < 500 ? error.status : 500;
      const code = status === 413 ? 'body_too_large' : status === 500 ? 'internal_error' : 'bad_request';
      fail(res, status, code, status === 500 ? 'the request could not be handled' : String(error.message));
    },
  );
  return app;
}
