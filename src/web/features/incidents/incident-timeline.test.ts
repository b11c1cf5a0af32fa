import { describe, expect, it } from 'vitest';
import { bucketMembers } from './incident-timeline.js';

const member = (channelId: string, createdAt: string) => ({ messageId: createdAt + channelId, conversationId: null, channelId, customerId: null, authorHandle: null, text: 'down', createdAt });

describe('incident time chart buckets', () => {
  it('counts members per minute and channel and keeps empty minutes', () => {
    const { buckets, channelIds } = bucketMembers([member('x', '2026-11-23T10:00:10Z'), member('x', '2026-11-23T10:00:50Z'), member('mail', '2026-11-23T10:03:00Z')]);
    expect(channelIds).toEqual(['mail', 'x']);
    expect(buckets.map((b) => [b.x, b.mail])).toEqual([[2, 0], [0, 0], [0, 0], [0, 1]]);
  });

  it('widens the buckets for a long incident so the chart keeps a readable number of bars', () => {
    const { buckets } = bucketMembers([member('x', '2026-11-23T00:00:00Z'), member('x', '2026-11-23T20:00:00Z')]);
    expect(buckets.length).toBeLessThanOrEqual(30);
    expect(buckets.reduce((sum, b) => sum + Number(b.x), 0)).toBe(2);
  });

  it('has nothing to draw without members', () => {
    expect(bucketMembers([])).toEqual({ buckets: [], channelIds: [] });
  });
});
