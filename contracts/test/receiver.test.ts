// Receiver side of the contract: a real listening receiver in strict mode takes every committed
// valid example signed by the `standardwebhooks` reference library (for a whsec_ secret and for a
// Whop ws_ secret), keeps unknown event types, and rejects each invalid example with 422 naming
// exactly the pointers in expectations.json, storing nothing.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deliver as post } from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles, readExpectations } from '../scripts/exampleFiles.js';
import { type ListeningReceiver, startListeningReceiver } from './support/listeningReceiver.js';
import { referenceSigned, whopSecret, whsecSecret } from './support/referenceWebhook.js';

const files = exampleFiles();
const accepted = files.filter((f) => f.kind === 'valid' || f.kind === 'published');
const unknown = files.filter((f) => f.kind === 'unknown');
const invalid = files.filter((f) => f.kind === 'invalid');

interface Answer {
  status: number;
  body: {
    status?: string;
    webhook_id?: string;
    error?: { code: string; message: string; details?: { pointer: string; message: string }[] };
  };
}

async function deliver(
  receiver: ListeningReceiver,
  secret: string,
  body: Buffer,
): Promise<Answer & { id: string }> {
  const id = `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const signed = referenceSigned(secret, id, body);
  const res = await post(`${receiver.url}/webhooks`, signed);
  return { id, status: res.status, body: JSON.parse(res.text) as Answer['body'] };
}

const secrets = [
  { label: 'a whsec_ secret', secret: whsecSecret },
  {
    label: 'a Whop ws_ secret (the receiver given the raw ws_ string, the library btoa(secret))',
    secret: whopSecret,
  },
];

for (const { label, secret } of secrets) {
  describe(`a strict receiver with ${label}`, () => {
    let receiver: ListeningReceiver;
    beforeAll(async () => {
      receiver = await startListeningReceiver({ secret, contractMode: 'strict' });
    });
    afterAll(async () => {
      await receiver.stop();
    });

    for (const example of accepted) {
      it(`accepts ${example.file} signed by the reference library and stores its exact bytes`, async () => {
        const bytes = readFileSync(example.path);
        const answer = await deliver(receiver, secret, bytes);

        expect(answer, `${example.file} was not accepted`).toMatchObject({
          status: 200,
          body: { status: 'accepted', webhook_id: answer.id },
        });
        const stored = await receiver.readApi.event(answer.id);
        expect(stored?.type).toBe(example.eventType);
        expect(stored?.payload).toEqual(JSON.parse(bytes.toString('utf8')));
      });
    }

    for (const example of unknown) {
      it(`keeps ${example.file}, a type the contract does not know, as unhandled with 200`, async () => {
        const answer = await deliver(receiver, secret, readFileSync(example.path));

        expect(answer).toMatchObject({ status: 200, body: { status: 'unhandled', webhook_id: answer.id } });
        expect((await receiver.readApi.event(answer.id))?.status).toBe('unhandled');
      });
    }

    for (const example of invalid) {
      const pointers = readExpectations(example.eventType)[example.file] ?? [];
      it(`rejects ${example.file} with 422 at ${pointers.map((p) => `"${p}"`).join(', ')} and stores nothing`, async () => {
        const answer = await deliver(receiver, secret, readFileSync(example.path));

        expect(answer.status, `${example.file}: ${JSON.stringify(answer.body)}`).toBe(422);
        expect(answer.body.error?.code).toBe('contract_violation');
        const got = [...new Set(answer.body.error?.details?.map((d) => d.pointer))].sort();
        expect(got, `${example.file} was rejected at other pointers than expectations.json lists`).toEqual(
          [...pointers].sort(),
        );
        expect(await receiver.readApi.event(answer.id)).toBeUndefined();
      });
    }

    it('rejects a body signed for another secret with 401 no_matching_signature', async () => {
      const other = secret === whsecSecret ? whopSecret : whsecSecret;
      const answer = await deliver(receiver, other, readFileSync(accepted[0]?.path ?? ''));

      expect(answer).toMatchObject({ status: 401, body: { error: { code: 'no_matching_signature' } } });
    });
  });
}
