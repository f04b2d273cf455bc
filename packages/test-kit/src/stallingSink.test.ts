import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { startStallingSink } from './stallingSink.js';

describe('startStallingSink', () => {
  it('counts requests and open sockets, never answers, and forgets a socket once it closes', async () => {
    const sink = await startStallingSink();
    try {
      expect(sink.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks$/);
      let answered = false;
      const req = request(sink.url, { method: 'POST' }, () => {
        answered = true;
      });
      req.on('error', () => {});
      req.end('{}');
      await eventually(
        'the request to reach the sink',
        () => (sink.received() === 1 ? true : undefined),
        5000,
      );
      expect(sink.open()).toBe(1);
      expect(answered).toBe(false);
      req.destroy();
      await eventually(
        'the sink to see the socket close',
        () => (sink.open() === 0 ? true : undefined),
        5000,
      );
      expect(sink.received()).toBe(1);
      expect(answered).toBe(false);
    } finally {
      await sink.close();
    }
  });
});
