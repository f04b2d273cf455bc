// Shared values for this package's tests. Signed deliveries come from `signedDelivery`, never from
// hand-assembled headers.
import { readFileSync } from 'node:fs';

const docsPage = readFileSync(
  new URL(
    '../../../../contracts/examples/course_lesson_interaction.completed/docs-page.json',
    import.meta.url,
  ),
  'utf8',
);

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

/** The docs page's example event, fresh on every call, read from the one file that holds it. */
export function docsExampleEvent() {
  return JSON.parse(docsPage) as {
    id: string;
    api_version: string;
    timestamp: string;
    type: string;
    data: {
      id: string;
      completed: boolean;
      created_at: string;
      lesson: { id: string; title: string; chapter: { id: string } };
      user: { id: string; name: string; username: string };
      course: { id: string; title: string; experience: { id: string } };
    };
    company_id: string;
  };
}
