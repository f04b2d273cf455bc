// How the vector tests run one delivery vector through packages/webhooks: a Webhook trusting
// `secret` with the vector's clock and tolerance must give the vector's verdict.
import { type SecretInput, Webhook, WebhookVerificationError } from '@webhook-contracts/webhooks';
import { expect } from 'vitest';

/** What `fn` threw, or undefined when it returned. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Asserts that verifying `headers` and `body` at `now` (Unix seconds) gives `verdict`. */
export function expectVerdict(
  secret: SecretInput | readonly SecretInput[],
  vector: { headers: Record<string, string>; now: number; verdict: string },
  body: Buffer,
  toleranceSeconds: number,
): void {
  const webhook = new Webhook(secret, { now: () => vector.now * 1000, toleranceSeconds });
  const caught = thrown(() => webhook.verify(vector.headers, body));
  if (vector.verdict === 'valid') expect(caught).toBeUndefined();
  else {
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    expect((caught as WebhookVerificationError).code).toBe(vector.verdict);
  }
}
