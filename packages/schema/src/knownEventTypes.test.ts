import { describe, expect, it } from 'vitest';
import { isKnownEventType, knownEventTypes } from './knownEventTypes.js';

// The 41 event types of @whop/sdk 0.0.42's UnwrapWebhookEvent, as issue 14 lists them.
const sdkCatalog = [
  'chat.message.created',
  'chat.reaction.created',
  'course_lesson_interaction.completed',
  'dispute.created',
  'dispute.updated',
  'dispute_alert.created',
  'entry.approved',
  'entry.created',
  'entry.deleted',
  'entry.denied',
  'identity_profile.approved',
  'identity_profile.needs_action',
  'identity_profile.rejected',
  'identity_profile.updated',
  'invoice.created',
  'invoice.marked_uncollectible',
  'invoice.paid',
  'invoice.past_due',
  'invoice.voided',
  'ledger_account.funds_available',
  'membership.activated',
  'membership.cancel_at_period_end_changed',
  'membership.deactivated',
  'membership.trial_ending_soon',
  'payment.created',
  'payment.failed',
  'payment.pending',
  'payment.succeeded',
  'payout_account.status_updated',
  'payout_method.created',
  'refund.created',
  'refund.updated',
  'resolution_center_case.created',
  'resolution_center_case.decided',
  'resolution_center_case.updated',
  'setup_intent.canceled',
  'setup_intent.requires_action',
  'setup_intent.succeeded',
  'verification.succeeded',
  'withdrawal.created',
  'withdrawal.updated',
];

describe('knownEventTypes', () => {
  it('lists every event type of the SDK catalog, sorted', () => {
    expect(knownEventTypes).toEqual(sdkCatalog);
    expect(knownEventTypes).toHaveLength(41);
  });

  it('is frozen so callers cannot change the registry', () => {
    expect(Object.isFrozen(knownEventTypes)).toBe(true);
  });
});

describe('isKnownEventType', () => {
  it('recognises a registered type and rejects others, including near misses', () => {
    expect(isKnownEventType('course_lesson_interaction.completed')).toBe(true);
    expect(isKnownEventType('payment.succeeded')).toBe(true);
    expect(isKnownEventType('payout.created')).toBe(false);
    expect(isKnownEventType('Course_lesson_interaction.completed')).toBe(false);
    expect(isKnownEventType('toString')).toBe(false);
  });
});
