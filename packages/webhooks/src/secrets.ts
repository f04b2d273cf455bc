// The secret helpers alone, for a program's start-up: reading WEBHOOK_SECRET and its flags needs
// none of the contract, so `@webhook-contracts/webhooks/secrets` loads neither TypeBox nor Ajv.
export { generateKeyPair } from './asymmetricKeys.js';
export { decodeSecret, type SecretInput } from './decodeSecret.js';
export { decodeSecrets } from './decodeSecrets.js';
export { WebhookConfigError, type WebhookConfigErrorCode } from './errors.js';
export { parseSecretList } from './parseSecretList.js';
export { decodeKeys, type SignatureScheme, type WebhookKeys } from './webhookKeys.js';
