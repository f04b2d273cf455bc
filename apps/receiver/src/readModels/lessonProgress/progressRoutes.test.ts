// GET /progress's parameters through the read API router: the bounds of user_id, course_id and
// cursor, and an empty filter read as none.
import { listenLocally } from '@webhook-contracts/test-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createReadApiRouter } from '../../http/createReadApiRouter.js';
import { SqliteStore } from '../../store/sqlite/SqliteStore.js';
import { delivery } from '../../store/test-support/storeContract.js';

const token = 'progress-test-token-0123456789abcd';
const t0 = Date.UTC(2026, 0, 1);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve() {
  const store = new SqliteStore({ filename: ':memory:' });
  cleanups.push(() => store.close());
  await store.insertDelivery(delivery('msg_1'));
  await store.claimDue('w', t0 + 1_000_000, 1000, 100);
  const lessonCompletions = [
    { userId: 'user_a', courseId: 'cors_1', lessonId: 'lesn_1', completedAt: t0 },
    { userId: 'user_b', courseId: 'cors_2', lessonId: 'lesn_1', completedAt: t0 },
  ];
  await store.settle('msg_1', 'w', { status: 'processed', effects: { lessonCompletions } }, t0);
  const app = express();
  app.use(createReadApiRouter({ store, apiToken: token }));
  const server = await listenLocally(app);
  cleanups.push(server.close);
  return server.url;
}

async function get(url: string) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: unknown } };
}

describe('GET /progress parameters', () => {
  it('refuses a user_id, course_id or cursor past its length bound with 400 too_long', async () => {
    const url = await serve();
    for (const [parameter, length] of [
      ['user_id', 257],
      ['course_id', 257],
      ['cursor', 4097],
    ] as const) {
      const res = await get(`${url}/progress?${parameter}=${'a'.repeat(length)}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_query',
        details: [{ parameter, problem: 'too_long' }],
      });
    }
  });

  it('takes a user_id and course_id at their length bound', async () => {
    const url = await serve();
    const res = await get(`${url}/progress?user_id=${'a'.repeat(256)}&course_id=${'c'.repeat(256)}`);
    expect(res).toEqual({ status: 200, body: { progress: [], next_cursor: null } });
  });

  it('reads an empty user_id or course_id as no filter', async () => {
    const url = await serve();
    const pairs = (body: Record<string, unknown>) =>
      (body['progress'] as { user_id: string; course_id: string }[]).map(
        (p) => `${p.user_id}/${p.course_id}`,
      );
    expect(pairs((await get(`${url}/progress?user_id=&course_id=cors_2`)).body)).toEqual(['user_b/cors_2']);
    expect(pairs((await get(`${url}/progress?user_id=user_a&course_id=`)).body)).toEqual(['user_a/cors_1']);
  });
});
