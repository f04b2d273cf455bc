import { sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodePublicKey, decodeSigningKey, generateKeyPair, rawPublicKey } from './asymmetricKeys.js';
import { decodeSecret } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';
import { captureError } from './test-support/captureError.js';
import { rfc8032, v1aKeys } from './test-support/fixtures.js';

function refusal(fn: () => unknown): string {
  const error = captureError(fn);
  expect(error).toBeInstanceOf(WebhookConfigError);
  expect((error as WebhookConfigError).code).toBe('invalid_secret');
  return (error as Error).message;
}

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('decodeSigningKey', () => {
  it('reads a 32-byte seed into the RFC 8032 key pair: same public key, same signature of the empty message', () => {
    const { privateKey, publicKey } = decodeSigningKey(v1aKeys.seed);
    expect(rawPublicKey(publicKey).toString('hex')).toBe(rfc8032.publicHex);
    expect(sign(null, Buffer.alloc(0), privateKey).toString('hex')).toBe(rfc8032.emptySignatureHex);
  });

  it('reads the 64-byte seed-then-public layout (as Svix emits it) into the same pair', () => {
    const { privateKey, publicKey } = decodeSigningKey(v1aKeys.seedAndPublic);
    expect(rawPublicKey(publicKey).toString('hex')).toBe(rfc8032.publicHex);
    expect(sign(null, Buffer.alloc(0), privateKey).toString('hex')).toBe(rfc8032.emptySignatureHex);
  });

  it('refuses a 64-byte key whose public half is not the public key of its seed', () => {
    const other = generateKeyPair().publicKey.slice(5);
    const spliced = `whsk_${Buffer.concat([Buffer.from(rfc8032.seedHex, 'hex'), Buffer.from(other, 'base64')]).toString('base64')}`;
    expect(refusal(() => decodeSigningKey(spliced))).toMatch(/do not belong together/);
  });

  it('refuses a key of another length, naming both accepted layouts', () => {
    const message = refusal(() => decodeSigningKey(`whsk_${b64('00'.repeat(48))}`));
    expect(message).toMatch(/holds 48 bytes/);
    expect(message).toMatch(/32-byte seed .* 64-byte seed followed by its public key/);
  });

  it('says when the bytes are a PKCS#8 DER key instead of the raw seed', () => {
    const der = `whsk_${b64(`302e020100300506032b657004220420${rfc8032.seedHex}`)}`;
    expect(refusal(() => decodeSigningKey(der))).toMatch(/PKCS#8 DER key: pass its last 32 bytes/);
  });

  it('refuses a whpk_ public key where a signing key is needed', () => {
    expect(refusal(() => decodeSigningKey(v1aKeys.publicKey))).toMatch(
      /whpk_ public key: it verifies v1a signatures but cannot make them/,
    );
  });

  it('refuses an empty key, base64url and non-canonical base64', () => {
    expect(refusal(() => decodeSigningKey('whsk_'))).toMatch(/nothing after the prefix/);
    const url = v1aKeys.seed.replaceAll('+', '-').replaceAll('/', '_');
    expect(url).not.toBe(v1aKeys.seed);
    expect(refusal(() => decodeSigningKey(url))).toMatch(/base64url alphabet/);
    // 'x' carries low bits an encoder leaves zero where '=' padding follows.
    const altered = `${v1aKeys.seed.slice(0, -2)}x=`;
    expect(refusal(() => decodeSigningKey(altered))).toMatch(/not canonical base64/);
  });
});

describe('decodePublicKey', () => {
  it('reads a 32-byte public key that verifies the RFC 8032 signature', () => {
    const key = decodePublicKey(v1aKeys.publicKey);
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(verify(null, Buffer.alloc(0), key, Buffer.from(rfc8032.emptySignatureHex, 'hex'))).toBe(true);
  });

  it('refuses a public key of another length', () => {
    expect(refusal(() => decodePublicKey(`whpk_${b64(`${rfc8032.publicHex}00`)}`))).toMatch(
      /holds 33 bytes; an ed25519 public key is 32 bytes/,
    );
    expect(refusal(() => decodePublicKey(v1aKeys.seedAndPublic.replace('whsk_', 'whpk_')))).toMatch(
      /holds 64 bytes/,
    );
  });

  it('says when the bytes are an SPKI DER key instead of the raw key', () => {
    const der = decodePublicKey(v1aKeys.publicKey).export({ format: 'der', type: 'spki' });
    expect(refusal(() => decodePublicKey(`whpk_${der.toString('base64')}`))).toMatch(/SPKI DER key/);
  });

  it('refuses a whsk_ signing key where a public key is expected, saying why', () => {
    expect(refusal(() => decodePublicKey(v1aKeys.seed))).toMatch(/could forge webhooks/);
  });
});

describe('generateKeyPair', () => {
  it('makes a whsk_ seed and the whpk_ key that belongs to it, different on every call', () => {
    const pair = generateKeyPair();
    expect(pair.signingKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(pair.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const { privateKey } = decodeSigningKey(pair.signingKey);
    const signature = sign(null, Buffer.from('m'), privateKey);
    expect(verify(null, Buffer.from('m'), decodePublicKey(pair.publicKey), signature)).toBe(true);
    expect(generateKeyPair().signingKey).not.toBe(pair.signingKey);
  });
});

describe('decodeSecret with a v1a key', () => {
  it('refuses whsk_ and whpk_ as HMAC secrets, pointing at the readers that take both kinds', () => {
    for (const key of [v1aKeys.seed, v1aKeys.publicKey]) {
      expect(refusal(() => decodeSecret(key))).toMatch(
        /ed25519 key of the v1a scheme .* not a v1 HMAC secret/,
      );
    }
  });
});
