import { describe, expect, it } from 'vitest';
import { addMember, countRecentMembers, createIncidentRecord, recordFromState, recordToState } from './incident-record.js';

describe('an incident record counting its recent members', () => {
  it('counts the members at or after the cutoff as a filter of every time would, late members and restores included', () => {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let record = createIncidentRecord('inc', ['a', 'b'], 0, 0.5);
    const times: number[] = [];
    let now = 0;
    for (let i = 0; i < 6000; i += 1) {
      now += Math.floor(rand() * 100);
      // One member in ten is late: it happened up to a minute before the latest.
      const at = rand() < 0.1 ? now - Math.floor(rand() * 60_000) : now;
      addMember(record, { id: `m${i}`, at, channelId: 'c', platform: 'x', terms: ['a', 'b'] }, 100);
      times.push(at);
      const cutoff = now - 30_000;
      expect(countRecentMembers(record, cutoff)).toBe(times.filter((t) => t >= cutoff).length);
      if (i % 1000 === 999) record = recordFromState(JSON.parse(JSON.stringify(recordToState(record))) as ReturnType<typeof recordToState>);
    }
    // The old times are dropped as they pile up: the list stays near what the window holds.
    expect(record.recentMemberAts.length).toBeLessThan(times.filter((t) => t >= now - 30_000).length + 1100);
    expect(record.memberIds).toHaveLength(100);
    expect(record.memberCount).toBe(6000);
  });
});
