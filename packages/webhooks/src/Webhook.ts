import type { SecretInput } from './decodeSecret.js';
import { WebhookConfigError } from './errors.js';
import type { HeaderSource } from './headers.js';
import { signWithKeys, signWithV1Keys } from './sign.js';
import { type UnwrapResult, unwrapDelivery } from './unwrap.js';
import type { VerifiedDelivery } from './VerifiedDelivery.js';
import { prepareV1Key, type V1Key } from './v1Key.js';
import { resolveVerifyOptions, type VerifyOptions, type VerifySettings, verifyWithKeys } from './verify.js';
import { verifyWithKeySet } from './verifyKeySet.js';
import { decodeKeys, keySchemes, type SignatureScheme, type WebhookKeys } from './webhookKeys.js';

/**
 * A receiver (or sender) for one endpoint: decodes its secret(s) once, then verifies, unwraps or
 * signs per request. Several secrets verify a delivery signed by any of them (rotation), given as
 * an array or as one comma-separated string (read like `parseSecretList`, so the same env value
 * works here, in the receiver and in the mock sender). `whpk_` ed25519 public keys verify `v1a`
 * signatures and may sit beside `v1` secrets in the list; a `whsk_` signing key signs `v1a`.
 *
 * @example
 * const webhook = new Webhook(process.env.WEBHOOK_SECRET!); // 'ws_…', 'whsec_…', bare base64, or 'new,old'
 * app.post('/webhooks/whop', express.raw({ type: () => true }), (req, res) => {
 *   const result = webhook.unwrap(req.headers, req.body);
 *   res.sendStatus(200);
 * });
 */
export class Webhook {
  readonly #v1Keys: readonly V1Key[];
  // v1a hook: set when any key is ed25519 (whsk_/whpk_); unset keeps the v1-only path of verify.ts.
  readonly #keySet: WebhookKeys | undefined;
  readonly #settings: VerifySettings;
  /** The schemes this endpoint's keys verify (`v1`, `v1a` or both), e.g. for precheckWebhookHeaders. */
  readonly schemes: readonly SignatureScheme[];

  /**
   * @param secret one secret, a comma-separated list of them, an array, or raw key bytes.
   * @throws {WebhookConfigError} `invalid_secret` / `invalid_options` for unusable configuration.
   */
  constructor(secret: SecretInput | readonly SecretInput[], options?: VerifyOptions) {
    const keys = decodeKeys(secret, 'verify');
    this.#v1Keys = keys.hmac.map(prepareV1Key);
    this.#keySet = keys.verifiers.length > 0 ? keys : undefined;
    this.schemes = keySchemes(keys);
    this.#settings = resolveVerifyOptions(options);
  }

  /**
   * Proves the raw body was signed by a holder of the secret within the time tolerance.
   *
   * @param body the raw body exactly as received (a string is UTF-8 encoded once).
   * @throws {WebhookVerificationError} status 401, with the code of the failed check.
   * @example
   * const { id, timestamp, body } = webhook.verify(req.headers, req.body);
   */
  verify(headers: HeaderSource, body: string | Uint8Array): VerifiedDelivery {
    if (this.#keySet !== undefined)
      return verifyWithKeySet(this.#keySet, this.#v1Keys, headers, body, this.#settings);
    return verifyWithKeys(this.#v1Keys, headers, body, this.#settings);
  }

  /**
   * Verifies, parses and validates: the typed event, or the envelope of an event type the contract
   * does not know. Signature failures always come before payload failures.
   *
   * @throws {WebhookVerificationError} status 401 when the delivery is not authentic.
   * @throws {WebhookPayloadError} status 422 (`invalid_json` / `contract_violation`), carrying the delivery.
   * @example
   * const result = webhook.unwrap(req.headers, req.body);
   * if (result.kind === 'event') await markLessonDone(result.event.data.user.id, result.event.data.lesson.id);
   */
  unwrap(headers: HeaderSource, body: string | Uint8Array): UnwrapResult {
    return unwrapDelivery(this.verify(headers, body));
  }

  /**
   * The `webhook-signature` value for a delivery, one `v1,` entry per secret and one `v1a,` per
   * `whsk_` key. A Webhook holding a `whpk_` public key cannot sign.
   *
   * @example
   * webhook.sign('msg_1', Math.floor(Date.now() / 1000), body); // 'v1,…'
   */
  sign(id: string, timestamp: number, body: string | Uint8Array): string {
    if (this.#keySet === undefined) return signWithV1Keys(this.#v1Keys, id, timestamp, body);
    if (this.#keySet.publicOnly > 0) {
      throw new WebhookConfigError(
        'invalid_secret',
        'This Webhook holds a whpk_ public key, which verifies v1a signatures but cannot make them: sign with ' +
          'a Webhook built from the whsk_ signing key.',
      );
    }
    return signWithKeys(this.#keySet, id, timestamp, body);
  }
}
