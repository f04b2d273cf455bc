// Signing alone, for a program that only sends (the mock sender): `@webhook-contracts/webhooks/signer`
// loads neither the verifying side nor the contract (TypeBox, Ajv, the catalog) that unwrap needs.
export { createSigner, type Signer } from './createSigner.js';
export { WebhookConfigError, type WebhookConfigErrorCode } from './errors.js';
export { type SignInput, sign, signedHeaders } from './sign.js';
