import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DeliveryLog } from './DeliveryLog.js';
import { readRoutes } from './readRoutes.js';
import { parseTargetPrefix, type TargetPrefix } from './targetAllowList.js';

/** Calls a route with `url` and returns the status and JSON it wrote. */
function call(routes: ReturnType<typeof readRoutes>, route: string, url: string) {
  let answer: { status: number; body: unknown } | undefined;
  const res = {
    headersSent: false,
    destroyed: false,
    writeHead(status: number) {
      answer = { status, body: undefined };
      return this;
    },
    end(text: string) {
      answer!.body = JSON.parse(text);
    },
  } as unknown as ServerResponse;
  routes[route]!({} as IncomingMessage, res, new URL(url, 'http://x'), '');
  return answer;
}

describe('readRoutes', () => {
  it('lists no deliveries at first, and refuses a limit that is not a positive integer', () => {
    const routes = readRoutes(new DeliveryLog(10), undefined);
    expect(call(routes, 'GET /deliveries', '/deliveries')).toEqual({ status: 200, body: { deliveries: [] } });
    for (const limit of ['0', '-1', '1.5', 'ten']) {
      expect(() => call(routes, 'GET /deliveries', `/deliveries?limit=${limit}`), limit).toThrow(
        expect.objectContaining({
          status: 400,
          code: 'invalid_request',
          details: [{ field: 'limit', message: 'must be a positive integer' }],
        }),
      );
    }
  });

  it('names the allowed targets, or null when any target is allowed', () => {
    const prefixes = ['http://staging.example', 'http://ci.example/hooks'].map(
      (p) => parseTargetPrefix(p) as TargetPrefix,
    );
    expect(call(readRoutes(new DeliveryLog(1), prefixes), 'GET /targets', '/targets')?.body).toEqual({
      allowed_targets: ['http://staging.example', 'http://ci.example/hooks'],
    });
    expect(call(readRoutes(new DeliveryLog(1), undefined), 'GET /targets', '/targets')?.body).toEqual({
      allowed_targets: null,
    });
  });

  it('lists the examples with the event types', () => {
    const answer = call(readRoutes(new DeliveryLog(1), undefined), 'GET /examples', '/examples') as {
      status: number;
      body: { examples: Array<{ name: string }>; event_types: string[] };
    };
    expect(answer.status).toBe(200);
    expect(answer.body.examples.length).toBeGreaterThan(0);
    expect(answer.body.event_types).toContain('membership.activated');
  });
});
