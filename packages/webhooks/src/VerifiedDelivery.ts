/** What verification proves: these exact bytes were signed for this id and timestamp by a holder of the secret. */
export interface VerifiedDelivery {
  /** The `webhook-id` header: stable across retries, the key to deduplicate on. */
  id: string;
  /** The `webhook-timestamp` header in Unix seconds (the time of this attempt). */
  timestamp: number;
  /** The raw body exactly as received. */
  body: Buffer;
}
