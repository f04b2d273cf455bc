import { describe, expect, it } from 'vitest';
import { isNewerMembershipState } from './isNewerMembershipState.js';
import type { MembershipState } from './MembershipReader.js';
import { membershipChange, membershipT0 } from './test-support/membershipChange.js';

const t0 = membershipT0;
const state = (overrides: Partial<MembershipState> = {}): MembershipState => ({
  ...membershipChange(),
  webhookId: 'msg_b',
  ...overrides,
});

describe('isNewerMembershipState', () => {
  it('decides by updated_at first, whatever the envelope timestamp and webhook-id say', () => {
    const later = state({ updatedAt: t0 + 1, eventTimestamp: t0, webhookId: 'msg_a' });
    const earlier = state({ updatedAt: t0, eventTimestamp: t0 + 9, webhookId: 'msg_z' });
    expect(isNewerMembershipState(later, earlier)).toBe(true);
    expect(isNewerMembershipState(earlier, later)).toBe(false);
  });

  it('decides by the envelope timestamp when updated_at is equal, whatever the webhook-id says', () => {
    const later = state({ eventTimestamp: t0 + 1, webhookId: 'msg_a' });
    const earlier = state({ eventTimestamp: t0, webhookId: 'msg_z' });
    expect(isNewerMembershipState(later, earlier)).toBe(true);
    expect(isNewerMembershipState(earlier, later)).toBe(false);
  });

  it('decides by the webhook-id in byte order when both times are equal', () => {
    // 'é' (0xC3 0xA9 in UTF-8) sorts after 'z' by bytes, as both databases compare.
    expect(isNewerMembershipState(state({ webhookId: 'msg_é' }), state({ webhookId: 'msg_z' }))).toBe(true);
    expect(isNewerMembershipState(state({ webhookId: 'msg_z' }), state({ webhookId: 'msg_é' }))).toBe(false);
    expect(isNewerMembershipState(state({ webhookId: 'msg_b' }), state({ webhookId: 'msg_a' }))).toBe(true);
  });

  it('does not count the same state as newer, so a replay changes nothing', () => {
    expect(isNewerMembershipState(state(), state())).toBe(false);
  });
});
