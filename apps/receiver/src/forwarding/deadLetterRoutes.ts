// The read API's dead-letter routes: list the (event, destination) pairs given up on, and forward
// them all again (of one destination or every one). Mounted by the read API behind its token.

import { HttpError } from '@webhook-contracts/http-kit';
import type { DeadLetterPage, DeadLettersQueued } from '@webhook-contracts/schema';
import type { Request, Response, Router } from 'express';
import { parseLimit, readQuery } from '../http/readApiParameters.js';
import type { Logger } from '../logging/logger.js';
import type { DeadLetterPosition, ForwardOutbox } from './outbox/ForwardOutbox.js';

export const deadLetterPaths = {
  list: '/forwarding/dead-letters',
  forward: '/forwarding/dead-letters/forward',
} as const;

export interface DeadLetterRouteOptions {
  /** Absent when forwarding is off: the list is empty and nothing is re-forwarded. */
  forwarding: { outbox: ForwardOutbox; destinations: readonly string[] } | undefined;
  route(fn: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  logger: Logger;
  now: () => number;
}

export function deadLetterRoutes(router: Router, options: DeadLetterRouteOptions): void {
  const { forwarding, route } = options;
  const destinationOf = (req: Request): string | null => {
    const { destination } = readQuery(req.originalUrl, { destination: 'one' });
    if (destination === undefined) return null;
    if (!forwarding?.destinations.includes(destination)) {
      throw new HttpError(
        400,
        'invalid_query',
        `destination is "${destination.slice(0, 64)}": expected one of the configured destinations (${forwarding?.destinations.join(', ') || 'none: forwarding is off'})`,
      );
    }
    return destination;
  };

  router.get(
    deadLetterPaths.list,
    route(async (req, res) => {
      const destination = destinationOf(req);
      const query = readQuery(req.originalUrl, { cursor: 'one', limit: 'one' });
      const limit = parseLimit(query.limit);
      const after = query.cursor === undefined ? null : decodeDeadLetterCursor(query.cursor);
      const rows = (await forwarding?.outbox.deadLetters(destination, after, limit + 1)) ?? [];
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      res.json({
        dead_letters: page.map((r) => ({
          webhook_id: r.webhookId,
          destination: r.destination,
          type: r.type,
          attempts: r.attempts,
          last_error: r.lastError,
        })),
        next_cursor: rows.length > limit && last !== undefined ? encodeDeadLetterCursor(last) : null,
      } satisfies DeadLetterPage);
    }),
  );

  router.post(
    deadLetterPaths.forward,
    route(async (req, res) => {
      const destination = destinationOf(req);
      const count = (await forwarding?.outbox.reforwardDead(destination, options.now())) ?? 0;
      options.logger.info({ destination, count }, 'dead letters queued for forwarding again');
      res.status(202).json({ status: 'queued', count } satisfies DeadLettersQueued);
    }),
  );
}

export function encodeDeadLetterCursor(p: DeadLetterPosition): string {
  return Buffer.from(JSON.stringify([p.webhookId, p.destination])).toString('base64url');
}

export function decodeDeadLetterCursor(cursor: string): DeadLetterPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { webhookId: value[0] as string, destination: value[1] as string };
    }
  } catch {
    // Answered below.
  }
  throw new HttpError(
    400,
    'invalid_query',
    'cursor is not a next_cursor this API returned: start again without it',
  );
}
