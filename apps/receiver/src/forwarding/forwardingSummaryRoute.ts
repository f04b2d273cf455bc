// GET /forwarding: each destination's health and backlog at a glance, for the inspector and for a
// script. The backlog is read through the outbox's partial indexes with bounded counts, so the
// answer costs the same whether a destination waits on ten events or ten million.
import { type ForwardingSummary, forwardingLimits } from '@webhook-contracts/schema';
import type { Request, Response, Router } from 'express';
import type { ForwardOutbox } from './outbox/ForwardOutbox.js';

export const forwardingSummaryPath = '/forwarding';

/** One destination as this instance sees it: reachable or not, and its counters since it started. */
export interface DestinationActivity {
  destination: string;
  up: boolean;
  /** Why it is down (credentials removed); absent while up. */
  error?: string;
  forwarded: number;
  failed: number;
  deadLettered: number;
}

/** Forwarding as the read API serves it; absent when forwarding is off. */
export interface ReadApiForwarding {
  outbox: ForwardOutbox;
  destinations: readonly string[];
  /** Each destination's health and counters (the forwarder's and the metrics'); zeros without it. */
  activity?: () => Promise<DestinationActivity[]>;
}

export interface ForwardingSummaryRouteOptions {
  forwarding: ReadApiForwarding | undefined;
  route(fn: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function forwardingSummaryRoute(router: Router, options: ForwardingSummaryRouteOptions): void {
  const { forwarding, route, now } = options;
  router.get(
    forwardingSummaryPath,
    route(async (_req, res) => {
      if (forwarding === undefined || forwarding.destinations.length === 0) {
        res.json({ enabled: false, destinations: [] } satisfies ForwardingSummary);
        return;
      }
      const [backlog, activity] = await Promise.all([
        forwarding.outbox.backlogSummary(forwarding.destinations, forwardingLimits.backlogCount),
        forwarding.activity?.() ?? Promise.resolve([]),
      ]);
      const at = now();
      res.json({
        enabled: true,
        destinations: forwarding.destinations.map((destination) => {
          const b = backlog.find((r) => r.destination === destination);
          const a = activity.find((r) => r.destination === destination);
          const oldest = b?.oldestPendingAt ?? null;
          return {
            destination,
            up: a?.up ?? false,
            ...(a?.error === undefined ? {} : { error: a.error }),
            pending: b?.pending ?? 0,
            pending_capped: b?.pendingCapped ?? false,
            oldest_pending_at: oldest === null ? null : iso(oldest),
            oldest_pending_age_seconds: oldest === null ? null : Math.max(0, at - oldest) / 1000,
            dead: b?.dead ?? 0,
            dead_capped: b?.deadCapped ?? false,
            forwarded: a?.forwarded ?? 0,
            failed: a?.failed ?? 0,
            dead_lettered: a?.deadLettered ?? 0,
          };
        }),
      } satisfies ForwardingSummary);
    }),
  );
}
