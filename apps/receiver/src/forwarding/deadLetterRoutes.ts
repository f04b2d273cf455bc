// The read API's dead-letter routes: list the (event, destination) pairs given up on, and forward
// them again, filtered by destination, event type (`payment.*`) and when the event was received.
// A re-forward takes at most forwardingLimits.batch rows per request, so one request never holds a
// long transaction; its next_cursor says where the next batch starts. Mounted behind the token.

import { HttpError } from '@webhook-contracts/http-kit';
import {
  type DeadLetterPage,
  type DeadLettersQueued,
  forwardingLimits,
  parameterMaxLength,
} from '@webhook-contracts/schema';
import type { Request, Response, Router } from 'express';
import { parseLimit, parseTimeWindow, readQuery } from '../http/readApiParameters.js';
import type { Logger } from '../logging/logger.js';
import type { ReadApiForwarding } from './forwardingSummaryRoute.js';
import type { DeadLetterFilter, DeadLetterPosition } from './outbox/ForwardOutbox.js';
import { parseTypePattern, typePatternRule } from './typePattern.js';

export const deadLetterPaths = {
  list: '/forwarding/dead-letters',
  forward: '/forwarding/dead-letters/forward',
} as const;

export interface DeadLetterRouteOptions {
  /** Absent when forwarding is off: the list is empty and nothing is re-forwarded. */
  forwarding: ReadApiForwarding | undefined;
  route(fn: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  logger: Logger;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function deadLetterRoutes(router: Router, options: DeadLetterRouteOptions): void {
  const { forwarding, route } = options;
  /** The filters and the cursor of a request, checked before anything reaches the store. */
  const read = (req: Request) => {
    const query = readQuery(req.originalUrl, {
      destination: 'one',
      type: 'one',
      since: 'one',
      until: 'one',
      cursor: 'one',
      limit: 'one',
    });
    const { destination, type } = query;
    if (destination !== undefined && !forwarding?.destinations.includes(destination)) {
      throw new HttpError(
        400,
        'invalid_query',
        `destination is "${destination.slice(0, 64)}": expected one of the configured destinations (${forwarding?.destinations.join(', ') || 'none: forwarding is off'})`,
      );
    }
    const pattern = type === undefined ? null : parseTypePattern(type);
    if (type !== undefined && pattern === null) {
      throw new HttpError(
        400,
        'invalid_query',
        `type is "${type.slice(0, 64)}": expected ${typePatternRule}`,
        {
          details: [{ parameter: 'type', problem: 'invalid_pattern' }],
        },
      );
    }
    const { since, until } = parseTimeWindow(query);
    const filter: DeadLetterFilter = {
      destination: destination ?? null,
      type: pattern,
      since: since ?? null,
      until: until ?? null,
    };
    const after = query.cursor === undefined ? null : decodeDeadLetterCursor(query.cursor);
    return { filter, after, limit: query.limit };
  };

  router.get(
    deadLetterPaths.list,
    route(async (req, res) => {
      const { filter, after, limit: rawLimit } = read(req);
      const limit = parseLimit(rawLimit);
      const outbox = forwarding?.outbox;
      const [rows, matching] = await Promise.all([
        outbox?.deadLetters(filter, after, limit + 1) ?? [],
        outbox?.countDeadLetters(filter, forwardingLimits.matchingCount + 1) ?? 0,
      ]);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      res.json({
        dead_letters: page.map((r) => ({
          webhook_id: r.webhookId,
          destination: r.destination,
          type: r.type,
          attempts: r.attempts,
          last_error: r.lastError,
          received_at: iso(r.receivedAt),
        })),
        next_cursor: rows.length > limit && last !== undefined ? encodeDeadLetterCursor(last) : null,
        matching: Math.min(matching, forwardingLimits.matchingCount),
        matching_capped: matching > forwardingLimits.matchingCount,
      } satisfies DeadLetterPage);
    }),
  );

  router.post(
    deadLetterPaths.forward,
    route(async (req, res) => {
      const { filter, after } = read(req);
      const batch = (await forwarding?.outbox.reforwardDead(
        filter,
        after,
        forwardingLimits.batch,
        options.now(),
      )) ?? { count: 0, last: null, more: false };
      options.logger.info(
        { destination: filter.destination, count: batch.count, more: batch.more },
        'dead letters queued for forwarding again',
      );
      res.status(202).json({
        status: 'queued',
        count: batch.count,
        next_cursor: batch.more && batch.last !== null ? encodeDeadLetterCursor(batch.last) : null,
      } satisfies DeadLettersQueued);
    }),
  );
}

export function encodeDeadLetterCursor(p: DeadLetterPosition): string {
  return Buffer.from(JSON.stringify([p.webhookId, p.destination])).toString('base64url');
}

export function decodeDeadLetterCursor(cursor: string): DeadLetterPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every(
        (v) => typeof v === 'string' && v.length <= parameterMaxLength.webhook_id && !v.includes('\0'),
      )
    ) {
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
