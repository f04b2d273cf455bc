// Shared values for this package's tests. Signed deliveries come from `signedDelivery`, never from
// hand-assembled headers.

/** The canonical vector every Standard Webhooks reference library tests against. */
export const canonical = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
} as const;

/** A Whop-style dashboard secret: the HMAC key is these literal bytes. */
export const wsSecret = 'ws_3f9a1c0b7e2d4a6c8b5e1f0a9d7c3b2e4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e';

/** A fixed "now" for tests, in Unix seconds. */
export const NOW = 1_727_606_400;
export const clockAt = (seconds: number) => () => seconds * 1000;

/** The docs page's example event (as a value; the byte-exact file lives in contracts/examples). */
export function docsExampleEvent() {
  return {
    id: 'msg_xxxxxxxxxxxxxxxxxxxxxxxx',
    api_version: 'v1',
    timestamp: '2025-01-01T00:00:00.000Z',
    type: 'course_lesson_interaction.completed',
    data: {
      id: 'crsli_xxxxxxxxxxxx',
      completed: true,
      created_at: '2023-12-01T05:00:00.401Z',
      lesson: {
        id: 'lesn_xxxxxxxxxxxxx',
        title: 'Understanding Candlestick Patterns',
        chapter: { id: 'chap_xxxxxxxxxxxxx' },
      },
      user: { id: 'user_xxxxxxxxxxxxx', name: 'John Doe', username: 'johndoe42' },
      course: {
        id: 'cors_xxxxxxxxxxxxx',
        title: 'Introduction to Technical Analysis',
        experience: { id: 'exp_xxxxxxxxxxxxxx' },
      },
    },
    company_id: 'biz_xxxxxxxxxxxxxx',
  };
}
