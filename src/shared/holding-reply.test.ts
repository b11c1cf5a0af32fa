import { describe, expect, it } from 'vitest';
import { CHANNEL_LIMITS, measureForChannel } from './channel-limits.js';
import { defaultHoldingReply, holdingReplyNudge, isHoldingReplyMacro, responseDeadlineOf, type WaitingConversation } from './holding-reply.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const conv = (over: Partial<WaitingConversation> = {}): WaitingConversation => ({
  status: 'open',
  lastMessageDirection: 'in',
  createdAt: iso(T0),
  lastMessageAt: iso(T0),
  firstResponseAt: null,
  slaDueAt: iso(T0 + 60 * MIN),
  ...over,
});

describe('holding reply nudge', () => {
  it('takes the sooner of the SLA due time and fifteen minutes after the customer wrote', () => {
    expect(responseDeadlineOf(conv())).toBe(T0 + 15 * MIN);
    expect(responseDeadlineOf(conv({ slaDueAt: iso(T0 + 10 * MIN) }))).toBe(T0 + 10 * MIN);
    expect(responseDeadlineOf(conv({ slaDueAt: null }))).toBe(T0 + 15 * MIN);
    // A next response: counted from the customer's latest message, as the server's work order does.
    expect(responseDeadlineOf(conv({ firstResponseAt: iso(T0 + 5 * MIN), lastMessageAt: iso(T0 + 40 * MIN), slaDueAt: null }))).toBe(T0 + 55 * MIN);
  });

  it('appears within three minutes of the deadline or past it, saying how long the customer has waited', () => {
    expect(holdingReplyNudge(conv(), T0 + 11 * MIN)).toBeNull();
    expect(holdingReplyNudge(conv(), T0 + 12 * MIN)).toEqual({ waitedMinutes: 12, deadline: T0 + 15 * MIN, overdue: false });
    expect(holdingReplyNudge(conv(), T0 + 21.5 * MIN)).toEqual({ waitedMinutes: 21, deadline: T0 + 15 * MIN, overdue: true });
    expect(holdingReplyNudge(conv({ slaDueAt: iso(T0 + 5 * MIN) }), T0 + 2 * MIN)?.waitedMinutes).toBe(2);
  });

  it('stays away when nothing is owed: we spoke last, or the conversation is not open', () => {
    expect(holdingReplyNudge(conv({ lastMessageDirection: 'out' }), T0 + 30 * MIN)).toBeNull();
    for (const status of ['pending', 'snoozed', 'resolved', 'closed', 'merged']) expect(holdingReplyNudge(conv({ status }), T0 + 30 * MIN)).toBeNull();
  });
});

describe('holding reply text', () => {
  it('finds a macro named for holding replies, not any macro', () => {
    expect(isHoldingReplyMacro('Holding reply')).toBe(true);
    expect(isHoldingReplyMacro('holding – looking into it')).toBe(true);
    expect(isHoldingReplyMacro('Hold-reply (short)')).toBe(true);
    expect(isHoldingReplyMacro('Refund policy')).toBe(false);
    expect(isHoldingReplyMacro('Shareholder enquiry')).toBe(false);
  });

  it('fits every channel the default is sent on, public and private', () => {
    for (const key of Object.keys(CHANNEL_LIMITS)) {
      const platform = key === 'messenger' ? 'facebook' : key === 'instagram_dm' ? 'instagram' : key;
      const measured = measureForChannel(defaultHoldingReply(platform), key);
      expect(measured.length, key).toBeLessThanOrEqual(measured.max ?? Number.POSITIVE_INFINITY);
    }
    expect(measureForChannel(defaultHoldingReply('sms'), 'sms').length).toBeLessThanOrEqual(160);
    expect(defaultHoldingReply('email')).toMatch(/^Hello,/);
    expect(defaultHoldingReply('x').length).toBeLessThan(60);
  });
});
