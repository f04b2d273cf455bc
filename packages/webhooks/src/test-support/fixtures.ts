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

/**
 * RFC 8032 section 7.1, TEST 1: an ed25519 seed, its public key and its signature of the empty
 * message. The v1a keys below are this pair in the layouts `whsk_`/`whpk_` accept.
 */
export const rfc8032 = {
  seedHex: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicHex: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  emptySignatureHex:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
} as const;

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** v1a keys of the RFC 8032 pair: the 32-byte seed, the 64-byte seed‖public (Svix's layout), the public key. */
export const v1aKeys = {
  seed: `whsk_${hexToBase64(rfc8032.seedHex)}`,
  seedAndPublic: `whsk_${hexToBase64(rfc8032.seedHex + rfc8032.publicHex)}`,
  publicKey: `whpk_${hexToBase64(rfc8032.publicHex)}`,
} as const;
