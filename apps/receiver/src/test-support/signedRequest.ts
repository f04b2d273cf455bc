// The one fixture builder for signed test deliveries (every test signs through here).
import { randomUUID } from 'node:crypto';
import { type LessonFields, lessonCompleted } from '@webhook-contracts/test-kit';
import { type SecretInput, signedDelivery } from '@webhook-contracts/webhooks';

export const testSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const otherSecret = 'ws_0123456789abcdef0123456789abcdef';

export type { LessonFields };

/** The docs example as a course_lesson_interaction.completed payload with a fresh envelope id. */
export function completedEvent(fields: LessonFields = {}): Record<string, unknown> {
  return lessonCompleted({ id: `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`, ...fields });
}

export interface SignedRequestInput {
  /** A string or bytes are sent as-is; anything else is JSON.stringify-ed. Default: completedEvent(). */
  payload?: unknown;
  id?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  secret?: SecretInput | readonly SecretInput[];
}

export interface SignedRequest {
  id: string;
  body: Buffer;
  headers: Record<string, string>;
}

export function signedRequest(input: SignedRequestInput = {}): SignedRequest {
  const delivery = signedDelivery({
    secret: input.secret ?? testSecret,
    payload: input.payload ?? completedEvent(),
    ...(input.id !== undefined && { id: input.id }),
    ...(input.timestamp !== undefined && { timestamp: input.timestamp }),
  });
  return {
    id: delivery.id,
    body: delivery.body,
    headers: { ...delivery.headers, 'content-type': 'application/json' },
  };
}

/** POSTs a signed request to a URL with fetch. */
export function send(url: string, request: SignedRequest, extraHeaders: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { ...request.headers, ...extraHeaders }, body: request.body });
}
