import { describe, expect, it } from 'vitest';
import type { ConversationDto } from '../../api/types.js';
import { loadByAgent, queueByTeam, slaAtRisk, volumeByHour } from './dashboard-data.js';

const now = Date.parse('2026-11-23T12:30:00Z');
let n = 0;
const conversation = (over: Partial<ConversationDto>): ConversationDto => {
  n += 1;
  return {
    id: `c${n}`, channelId: 'ch', customerId: null, threadKey: `t${n}`, status: 'open', visibility: 'public', subject: null, priority: 50, priorityBand: 'normal', priorityParts: [],
    sentiment: null, intent: null, language: 'en', assigneeId: null, teamId: null, queue: 'default', messageCount: 1, unreadCount: 1, lastMessageAt: new Date(now).toISOString(),
    lastMessagePreview: '', lastMessageDirection: 'in', firstResponseAt: null, slaDueAt: null, incidentId: null, tags: [], createdAt: new Date(now - 60_000).toISOString(), resolvedAt: null, ...over,
  };
};

describe('supervisor dashboard aggregation', () => {
  it('counts only waiting, non-spam conversations by team and band', () => {
    const table = queueByTeam([
      conversation({ teamId: 'billing', priorityBand: 'urgent' }),
      conversation({ teamId: 'billing', priorityBand: 'high', assigneeId: 'u1' }),
      conversation({ teamId: 'billing', status: 'resolved' }),
      conversation({ teamId: null, queue: 'spam' }),
      conversation({ teamId: null, status: 'pending' }),
    ]);
    expect(table.get('billing')).toMatchObject({ urgent: 1, high: 1, normal: 0, unassigned: 1, total: 2 });
    expect(table.get(null)).toMatchObject({ normal: 1, total: 1 });
  });

  it('loads agents with their waiting conversations only', () => {
    expect([...loadByAgent([conversation({ assigneeId: 'a' }), conversation({ assigneeId: 'a', status: 'resolved' }), conversation({ assigneeId: 'b' })])]).toEqual([['a', 1], ['b', 1]]);
  });

  it('lists breached and soon-due SLAs, most urgent first, and leaves out the rest', () => {
    const breached = conversation({ slaDueAt: new Date(now - 5 * 60_000).toISOString() });
    const soon = conversation({ slaDueAt: new Date(now + 10 * 60_000).toISOString() });
    const later = conversation({ slaDueAt: new Date(now + 3 * 3_600_000).toISOString() });
    const done = conversation({ slaDueAt: new Date(now - 60_000).toISOString(), status: 'resolved' });
    expect(slaAtRisk([soon, later, done, breached], now).map((c) => c.id)).toEqual([breached.id, soon.id]);
  });

  it('buckets new conversations per hour by sentiment over twelve hours', () => {
    const buckets = volumeByHour(
      [
        conversation({ createdAt: '2026-11-23T12:05:00Z', sentiment: 'negative' }),
        conversation({ createdAt: '2026-11-23T12:10:00Z', sentiment: 'positive' }),
        conversation({ createdAt: '2026-11-23T02:10:00Z', sentiment: 'negative' }),
        conversation({ createdAt: '2026-11-22T12:10:00Z', sentiment: 'negative' }),
      ],
      now,
    );
    expect(buckets).toHaveLength(12);
    expect(buckets.at(-1)).toMatchObject({ negative: 1, positive: 1, neutral: 0 });
    expect(buckets[1]).toMatchObject({ negative: 1 });
    expect(buckets.reduce((sum, b) => sum + b.negative + b.positive + b.neutral + b.unknown, 0)).toBe(3);
  });
});
