// Standard Webhooks signing and verification (`v1` HMAC and `v1a` ed25519), and `unwrap`: verify
// the raw bytes, parse, validate against the contract, and hand back a typed event.
export {
  decodePublicKey,
  decodeSigningKey,
  type Ed25519Signer,
  generateKeyPair,
} from './asymmetricKeys.js';
export { createSigner, type Signer } from './createSigner.js';
export { decodeSecret, type SecretInput } from './decodeSecret.js';
export { decodeSecrets } from './decodeSecrets.js';
export {
  WebhookConfigError,
  type WebhookConfigErrorCode,
  WebhookPayloadError,
  type WebhookPayloadErrorCode,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from './errors.js';
export { type HeaderSource, readWebhookHeaders, type WebhookHeaders } from './headers.js';
export { type ParsedPayload, parsePayload } from './parsePayload.js';
export { parseSecretList } from './parseSecretList.js';
export { type PrecheckOptions, precheckWebhookHeaders } from './precheckWebhookHeaders.js';
export { type SignInput, sign, signedHeaders } from './sign.js';
export { type SignedDelivery, type SignedDeliveryInput, signedDelivery } from './signedDelivery.js';
export { type UnwrapResult, unwrapDelivery } from './unwrap.js';
export type { VerifiedDelivery } from './VerifiedDelivery.js';
export { DEFAULT_TOLERANCE_SECONDS, type VerifyOptions } from './verify.js';
export { MAX_V1A_ENTRIES } from './verifyKeySet.js';
export { Webhook } from './Webhook.js';
export { decodeKeys, type SignatureScheme, type WebhookKeys } from './webhookKeys.js';
