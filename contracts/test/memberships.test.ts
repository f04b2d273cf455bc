// The built receiver's memberships read model, on SQLite and on PostgreSQL: the catalog's membership
// examples, signed by the reference library, become one row each in GET /memberships; an older copy
// of one, delivered after it, changes nothing; GET /memberships/{id} answers a row or 404, behind
// the token, and the answers match the schema package's MembershipPage and MembershipRecord.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembershipPage, MembershipRecord } from '@webhook-contracts/schema';
import {
  eventually,
  deliver as post,
  type RunningProgram,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlFor, dropSchema, testSchema } from './support/postgresDatabase.js';
import { referenceSigned, whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'memberships-contract-token-0123456789';
const auth = { authorization: `Bearer ${apiToken}` };
const examplesDir = join(import.meta.dirname, '..', 'examples');
const types = [
  'membership.activated',
  'membership.deactivated',
  'membership.cancel_at_period_end_changed',
  'membership.trial_ending_soon',
] as const;

interface Example {
  id: string;
  timestamp: string;
  data: {
    id: string;
    status: string;
    updated_at: string;
    cancel_at_period_end: boolean;
    user: { id: string } | null;
    plan: { id: string };
    product: { id: string };
  };
}

const examples = types.map(
  (type) => JSON.parse(readFileSync(join(examplesDir, type, 'valid.example.json'), 'utf8')) as Example,
);

/** The row each example should leave: the example itself is the newest state of its membership. */
function expectedRecord(example: Example, webhookId: string) {
  const d = example.data;
  return {
    id: d.id,
    user_id: d.user?.id ?? null,
    product_id: d.product.id,
    plan_id: d.plan.id,
    status: d.status,
    cancel_at_period_end: d.cancel_at_period_end,
    updated_at: new Date(d.updated_at).toISOString(),
    event_timestamp: new Date(example.timestamp).toISOString(),
    webhook_id: webhookId,
  };
}

async function deliver(url: string, webhookId: string, body: unknown): Promise<number> {
  const signed = referenceSigned(whsecSecret, webhookId, Buffer.from(JSON.stringify(body)));
  const res = await post(`${url}/webhooks`, signed);
  return res.status;
}

async function get(url: string, path: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${url}${path}`, { headers });
  return {
    status: res.status,
    cacheControl: res.headers.get('cache-control'),
    body: (await res.json()) as unknown,
  };
}

const ajv = new Ajv({ strict: false, allErrors: true });
ajvFormats.default(ajv);
const validPage = ajv.compile(MembershipPage);
const validRecord = ajv.compile(MembershipRecord);

const dirs: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const s of schemas.splice(0)) await dropSchema(s);
});

const backends = [
  {
    name: 'SQLite',
    databaseUrl: () => {
      const dir = mkdtempSync(join(tmpdir(), 'memberships-contract-'));
      dirs.push(dir);
      return `sqlite:${join(dir, 'receiver.sqlite')}`;
    },
  },
  {
    name: 'PostgreSQL',
    databaseUrl: () => {
      const schema = testSchema('memberships');
      schemas.push(schema);
      return databaseUrlFor(schema);
    },
  },
];

describe.each(backends)('the built receiver keeps memberships on $name', (backend) => {
  let receiver: RunningProgram & { url: string };
  const webhookIds = types.map((_, i) => `msg_membership_${i}`);

  beforeAll(async () => {
    receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      RECEIVER_API_TOKEN: apiToken,
      DATABASE_URL: backend.databaseUrl(),
    });
    for (const [i, example] of examples.entries()) {
      expect(await deliver(receiver.url, webhookIds[i]!, example)).toBe(200);
    }
    // Every example processed: the four rows are there.
    await eventually('the four memberships are listed', async () => {
      const { body } = await get(receiver.url, '/memberships');
      return (body as MembershipPage).memberships.length === 4 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await receiver?.stop();
  });

  it('lists one row per membership, ordered by id, in the MembershipPage shape', async () => {
    const page = await get(receiver.url, '/memberships');
    expect(page.status).toBe(200);
    expect(page.cacheControl).toBe('no-store');
    expect(validPage(page.body), JSON.stringify(validPage.errors)).toBe(true);
    const expected = examples.map((e, i) => expectedRecord(e, webhookIds[i]!));
    expect(page.body).toEqual({
      memberships: [...expected].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id))),
      next_cursor: null,
    });
  });

  it('answers one membership by id, and 404 for one it does not hold', async () => {
    const first = examples[0]!;
    const one = await get(receiver.url, `/memberships/${first.data.id}`);
    expect(one.status).toBe(200);
    expect(validRecord(one.body), JSON.stringify(validRecord.errors)).toBe(true);
    expect(one.body).toEqual(expectedRecord(first, webhookIds[0]!));
    const missing = await get(receiver.url, '/memberships/mem_nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'membership_not_found' } });
  });

  it('keeps the newer state when an older event about the same membership arrives later', async () => {
    const first = examples[0]!;
    const older = {
      ...first,
      id: 'msg_membership_older',
      timestamp: '2025-01-01T00:00:00.000Z',
      data: { ...first.data, status: 'expired', updated_at: '2025-01-01T00:00:00.000Z' },
    };
    expect(await deliver(receiver.url, 'msg_membership_older', older)).toBe(200);
    await eventually('the older event is processed', async () => {
      const { body } = await get(receiver.url, '/events/msg_membership_older');
      return (body as { status: string }).status === 'processed' ? true : undefined;
    });
    const one = await get(receiver.url, `/memberships/${first.data.id}`);
    expect(one.body).toEqual(expectedRecord(first, webhookIds[0]!));
  });

  it('filters by status and user, pages with next_cursor, and refuses a bad status or no token', async () => {
    const active = examples.filter((e) => e.data.status === 'active');
    const byStatus = await get(receiver.url, '/memberships?status=active');
    expect((byStatus.body as MembershipPage).memberships.map((m) => m.id)).toEqual(
      active.map((e) => e.data.id),
    );
    const user = examples[1]!.data.user!.id;
    const byUser = await get(receiver.url, `/memberships?user_id=${user}`);
    expect((byUser.body as MembershipPage).memberships.map((m) => m.id)).toEqual([examples[1]!.data.id]);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = (await get(receiver.url, `/memberships?limit=3${query}`)).body as MembershipPage;
      ids.push(...page.memberships.map((m) => m.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(ids).toHaveLength(4);
    const bad = await get(receiver.url, '/memberships?status=gone');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_query' } });
    const anonymous = await get(receiver.url, '/memberships', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.cacheControl).toBe('no-store');
  });
});
