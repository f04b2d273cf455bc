import type { SecretInput } from './decodeSecret.js';
import { decodeSecrets } from './decodeSecrets.js';
import type { HeaderSource } from './headers.js';
import { signWithKeys } from './sign.js';
import { type UnwrapResult, unwrapDelivery } from './unwrap.js';
import type { VerifiedDelivery } from './VerifiedDelivery.js';
import { resolveVerifyOptions, type VerifyOptions, type VerifySettings, verifyWithKeys } from './verify.js';

/**
 * A receiver (or sender) for one endpoint: decodes its secret(s) once, then verifies, unwraps or
 * signs per request. Several secrets verify a delivery signed by any of them (rotation), given as
 * an array or as one comma-separated string (read like `parseSecretList`, so the same env value
 * works here, in the receiver and in the mock sender).
 *
 * @example
 * const webhook = new Webhook(process.env.WEBHOOK_SECRET!); // 'ws_…', 'whsec_…', bare base64, or 'new,old'
 * app.post('/webhooks/whop', express.raw({ type: () => true }), (req, res) => {
 *   const result = webhook.unwrap(req.headers, req.body);
 *   res.sendStatus(200);
 * });
 */
export class Webhook {
  readonly #keys: readonly Buffer[];
  readonly #settings: VerifySettings;

  /**
   * @param secret one secret, a comma-separated list of them, an array, or raw key bytes.
   * @throws {WebhookConfigError} `invalid_secret` / `invalid_options` for unusable configuration.
   */
  constructor(secret: SecretInput | readonly SecretInput[], options?: VerifyOptions) {
    this.#keys = decodeSecrets(secret);
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
    return verifyWithKeys(this.#keys, headers, body, this.#settings);
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
   * The `webhook-signature` value for a delivery, one `v1,` entry per secret.
   *
   * @example
   * webhook.sign('msg_1', Math.floor(Date.now() / 1000), body); // 'v1,…'
   */
  sign(id: string, timestamp: number, body: string | Uint8Array): string {
    return signWithKeys(this.#keys, id, timestamp, body);
  }
}
