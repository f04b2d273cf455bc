// The one fixture builder for signed test deliveries (every test signs through here).
import { randomUUID } from 'node:crypto';
import { type SecretInput, signedDelivery } from '@webhook-contracts/webhooks';

export const testSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const otherSecret = 'ws_0123456789abcdef0123456789abcdef';

export interface LessonFields {
  userId?: string;
  courseId?: string;
  lessonId?: string;
  createdAt?: string;
  completed?: boolean;
}

/** A course_lesson_interaction.completed payload shaped like the docs example. */
export function completedEvent(fields: LessonFields = {}): Record<string, unknown> {
  return {
    id: `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    api_version: 'v1',
    timestamp: '2025-01-01T00:00:00.000Z',
    type: 'course_lesson_interaction.completed',
    data: {
      id: 'crsli_xxxxxxxxxxxx',
      completed: fields.completed ?? true,
      created_at: fields.createdAt ?? '2023-12-01T05:00:00.401Z',
      lesson: {
        id: fields.lessonId ?? 'lesn_xxxxxxxxxxxxx',
        title: 'Understanding Candlestick Patterns',
        chapter: { id: 'chap_xxxxxxxxxxxxx' },
      },
      user: { id: fields.userId ?? 'user_xxxxxxxxxxxxx', name: 'John Doe', username: 'johndoe42' },
      course: {
        id: fields.courseId ?? 'cors_xxxxxxxxxxxxx',
        title: 'Introduction to Technical Analysis',
        experience: { id: 'exp_xxxxxxxxxxxxxx' },
      },
    },
    company_id: 'biz_xxxxxxxxxxxxxx',
  };
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
