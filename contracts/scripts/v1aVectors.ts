// The `v1a` (ed25519) part of contracts/vectors/standard-webhooks.json. Built from first principles
// like the v1 part: seeds derived from fixed labels, keys made and signatures computed with
// node:crypto alone (RFC 8032 ed25519 is deterministic, so the file regenerates byte for byte),
// never with packages/webhooks, which the tests then check against it.
import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import type { Verdict } from './vectors.js';

export interface V1aKeyVector {
  name: string;
  key: string;
  /** What the key is given to: a signer (whsk_ expected) or a verifier's trust list (whpk_ expected). */
  use: 'sign' | 'verify';
  /** The ed25519 public key it stands for, as hex; absent when the key is refused. */
  public_key_hex?: string;
  error?: 'invalid_secret';
}

export interface V1aDeliveryVector {
  name: string;
  /** The sender's whsk_ key. */
  signing_key: string;
  /** The `v1a,` entry a sender computes with signing_key for id, timestamp and body. */
  signature: string;
  /** The receiver's trust list: whpk_ keys, and v1 secrets beside them during a migration. */
  trusted: string[];
  id: string;
  timestamp: number;
  body_base64: string;
  headers: Record<string, string>;
  now: number;
  verdict: Verdict;
}

export interface V1aVectors {
  keys: V1aKeyVector[];
  deliveries: V1aDeliveryVector[];
}

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const seedOf = (label: string) =>
  createHash('sha256').update(`webhook-contracts v1a vector ${label}`).digest();
const b64 = (bytes: Buffer) => bytes.toString('base64');

interface Pair {
  seed: Buffer;
  privateKey: KeyObject;
  publicRaw: Buffer;
}

function pair(label: string): Pair {
  const seed = seedOf(label);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { seed, privateKey, publicRaw: spki.subarray(SPKI_ED25519.length) };
}

const main = pair('main');
const other = pair('other');
const v1Key = seedOf('v1 secret');
const v1Secret = `whsec_${b64(v1Key)}`;
const whsk = (p: Pair) => `whsk_${b64(p.seed)}`;
const whskSvix = (p: Pair) => `whsk_${b64(Buffer.concat([p.seed, p.publicRaw]))}`;
const whpk = (p: Pair) => `whpk_${b64(p.publicRaw)}`;

const T = 1_727_606_400;
const json = Buffer.from('{"type":"course_lesson_interaction.completed","data":{"completed":true}}');

function v1a(p: Pair, id: string, timestamp: number, body: Buffer): string {
  return `v1a,${b64(sign(null, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]), p.privateKey))}`;
}

function v1(key: Buffer, id: string, timestamp: number, body: Buffer): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

function keys(): V1aKeyVector[] {
  const hex = main.publicRaw.toString('hex');
  const accepted = (name: string, key: string, use: 'sign' | 'verify'): V1aKeyVector => ({
    name,
    key,
    use,
    public_key_hex: hex,
  });
  const refused = (name: string, key: string, use: 'sign' | 'verify'): V1aKeyVector => ({
    name,
    key,
    use,
    error: 'invalid_secret',
  });
  const spliced = Buffer.concat([main.seed, other.publicRaw]);
  return [
    accepted('whsk_ + base64 of the 32-byte seed', whsk(main), 'sign'),
    accepted(
      'whsk_ + base64 of the 64-byte seed then public key (the layout Svix emits)',
      whskSvix(main),
      'sign',
    ),
    accepted('whpk_ + base64 of the 32-byte public key', whpk(main), 'verify'),
    refused('whsk_ with nothing after it', 'whsk_', 'sign'),
    refused('whsk_ of 64 bytes whose public half belongs to another seed', `whsk_${b64(spliced)}`, 'sign'),
    refused('whsk_ of 16 bytes', `whsk_${b64(main.seed.subarray(0, 16))}`, 'sign'),
    refused(
      'whsk_ of a PKCS#8 DER key (48 bytes)',
      `whsk_${b64(Buffer.concat([PKCS8_ED25519, main.seed]))}`,
      'sign',
    ),
    refused('whsk_ in the base64url alphabet', `whsk_${main.seed.toString('base64url')}=`, 'sign'),
    refused('a whpk_ public key given to a signer', whpk(main), 'sign'),
    refused('whpk_ with nothing after it', 'whpk_', 'verify'),
    refused('whpk_ of 31 bytes', `whpk_${b64(main.publicRaw.subarray(0, 31))}`, 'verify'),
    refused('whpk_ of 64 bytes', `whpk_${b64(Buffer.concat([main.publicRaw, other.publicRaw]))}`, 'verify'),
    refused(
      'whpk_ of an SPKI DER key (44 bytes)',
      `whpk_${b64(Buffer.concat([SPKI_ED25519, main.publicRaw]))}`,
      'verify',
    ),
    refused('whpk_ without its = padding', `whpk_${b64(main.publicRaw).replace(/=+$/, '')}`, 'verify'),
  ];
}

interface Delivery {
  name: string;
  signingKey?: string;
  trusted: string[];
  id: string;
  /** The header's signature list, given the sender's v1a entry; default that entry alone. */
  list?: (entry: string) => string;
  now?: number;
  verdict: Verdict;
}

function deliveries(): V1aDeliveryVector[] {
  const list: Delivery[] = [
    {
      name: 'v1a signed with the seed, verified with its whpk_',
      trusted: [whpk(main)],
      id: 'msg_v1a',
      verdict: 'valid',
    },
    {
      name: 'v1a signed with the 64-byte (Svix) layout: the same signature',
      signingKey: whskSvix(main),
      trusted: [whpk(main)],
      id: 'msg_v1a',
      verdict: 'valid',
    },
    {
      name: 'body changed after signing',
      trusted: [whpk(main)],
      id: 'msg_v1a_tamper',
      // As in the v1 part: the body is the one sent, the entry signs it with one byte changed.
      list: () => v1a(main, 'msg_v1a_tamper', T, Buffer.from(json.toString().replace('true', 'fals'))),
      verdict: 'no_matching_signature',
    },
    {
      name: 'the receiver trusts another public key',
      trusted: [whpk(other)],
      id: 'msg_v1a_wrongkey',
      verdict: 'no_matching_signature',
    },
    {
      name: 'one of two trusted public keys matches (a rotation)',
      trusted: [whpk(other), whpk(main)],
      id: 'msg_v1a_rotation',
      verdict: 'valid',
    },
    {
      name: 'a valid v1 and a valid v1a entry, only the whpk_ trusted',
      trusted: [whpk(main)],
      id: 'msg_mixed_both',
      list: (entry) => `${v1(v1Key, 'msg_mixed_both', T, json)} ${entry}`,
      verdict: 'valid',
    },
    {
      name: 'a wrong v1 entry and a valid v1a entry, both kinds trusted',
      trusted: [v1Secret, whpk(main)],
      id: 'msg_mixed_v1a',
      list: (entry) => `${v1(seedOf('wrong'), 'msg_mixed_v1a', T, json)} ${entry}`,
      verdict: 'valid',
    },
    {
      name: 'a valid v1 entry and a v1a entry by another key, both kinds trusted',
      trusted: [v1Secret, whpk(main)],
      id: 'msg_mixed_v1',
      list: () => `${v1(v1Key, 'msg_mixed_v1', T, json)} ${v1a(other, 'msg_mixed_v1', T, json)}`,
      verdict: 'valid',
    },
    {
      name: 'a wrong v1 entry and a v1a entry by another key, both kinds trusted',
      trusted: [v1Secret, whpk(main)],
      id: 'msg_mixed_none',
      list: () =>
        `${v1(seedOf('wrong'), 'msg_mixed_none', T, json)} ${v1a(other, 'msg_mixed_none', T, json)}`,
      verdict: 'no_matching_signature',
    },
    {
      name: 'only v1a entries, only a v1 secret trusted',
      trusted: [v1Secret],
      id: 'msg_v1a_to_v1',
      verdict: 'invalid_signature_header',
    },
    {
      name: 'only a v1 entry, only a whpk_ trusted',
      trusted: [whpk(main)],
      id: 'msg_v1_to_v1a',
      list: () => v1(v1Key, 'msg_v1_to_v1a', T, json),
      verdict: 'invalid_signature_header',
    },
    {
      name: 'a v1a entry cut short (not 64 bytes of base64)',
      trusted: [whpk(main)],
      id: 'msg_v1a_short',
      list: (entry) => entry.slice(0, 60),
      verdict: 'invalid_signature_header',
    },
    {
      name: 'v1a signed 301 s before the clock',
      trusted: [whpk(main)],
      id: 'msg_v1a_stale',
      now: T + 301,
      verdict: 'timestamp_too_old',
    },
  ];
  return list.map((d) => {
    const signingKey = d.signingKey ?? whsk(main);
    const signature = v1a(main, d.id, T, json);
    return {
      name: d.name,
      signing_key: signingKey,
      signature,
      trusted: d.trusted,
      id: d.id,
      timestamp: T,
      body_base64: b64(json),
      headers: {
        'webhook-id': d.id,
        'webhook-timestamp': String(T),
        'webhook-signature': d.list ? d.list(signature) : signature,
      },
      now: d.now ?? T,
      verdict: d.verdict,
    };
  });
}

/** The v1a section of the vector file. */
export function v1aVectors(): V1aVectors {
  return { keys: keys(), deliveries: deliveries() };
}
