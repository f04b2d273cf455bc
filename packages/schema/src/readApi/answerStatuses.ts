// Plain data, without TypeBox: a program that reads answers (the mock sender's `--fail-on`) needs
// only the words, not the schema builder. `WebhookAnswer` holds the same words, one per variant.

/** Every `status` of a 200 from POST /webhooks, in `WebhookAnswer`'s order. */
export const answerStatuses = ['accepted', 'duplicate', 'unhandled', 'quarantined'] as const;
