import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { useSenderMsw } from './useSenderMsw.js';

const selected: string[] = [];
const server = useSenderMsw((transport) => selected.push(transport));

describe('useSenderMsw', () => {
  it('puts the sender on its fetch transport and answers fetch from the handlers of the test', async () => {
    expect(selected).toEqual(['fetch']);
    server.use(http.post('http://receiver.test/webhooks', () => HttpResponse.json({ status: 'accepted' })));
    const res = await fetch('http://receiver.test/webhooks', { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted' });
  });

  it('resets the handlers after each test and fails a request nothing handles', async () => {
    await expect(fetch('http://receiver.test/webhooks', { method: 'POST', body: '{}' })).rejects.toThrow(
      /Cannot bypass a request when using the "error" strategy/,
    );
    expect(selected).toEqual(['fetch']);
  });
});
