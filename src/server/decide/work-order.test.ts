import { describe, expect, it } from 'vitest';
import { scorePriority, type PriorityInput } from './priority.js';
import { compareWork, isAtRisk, pickNextWork, responseDeadline, type WaitingWork } from './work-order.js';

const MIN = 60_000;
const NOW = 1_000 * MIN;
const work = (id: string, priority: number, waitedMinutes: number, dueInMinutes: number | null = null): WaitingWork => ({
  id,
  priority,
  waitingSince: NOW - waitedMinutes * MIN,
  dueAt: dueInMinutes === null ? null : NOW + dueInMinutes * MIN,
});
const order = (list: WaitingWork[]): string[] => [...list].sort((a, b) => compareWork(a, b, NOW)).map((w) => w.id);

describe('work order', () => {
  it('takes the highest priority first while posts have slack, the longer wait on a tie', () => {
    expect(order([work('question', 30, 1), work('privacy', 70, 0.5), work('older-question', 30, 1.5)])).toEqual(['privacy', 'older-question', 'question']);
  });

  it('puts posts near their fifteen minutes before every fresher one, earliest deadline first, whatever the scores', () => {
    const list = [work('fresh-critical', 95, 0), work('waited-9', 20, 9), work('waited-12', 5, 12), work('waited-3', 60, 3)];
    expect(order(list)).toEqual(['waited-12', 'waited-9', 'waited-3', 'fresh-critical']);
    expect(isAtRisk(work('waited-1', 20, 1), NOW)).toBe(false);
    expect(isAtRisk(work('waited-2', 20, 2), NOW)).toBe(true);
  });

  it('counts an SLA due sooner than the horizon as the deadline', () => {
    const vip = work('vip', 40, 0, 5);
    expect(responseDeadline(vip)).toBe(NOW + 5 * MIN);
    expect(order([work('waited-5', 40, 5), vip])).toEqual(['vip', 'waited-5']);
    expect(responseDeadline(work('relaxed', 40, 0, 60))).toBe(NOW + 15 * MIN);
  });

  it('keeps the fairness cap: a big following neither beats a more severe post nor reorders posts at risk', () => {
    const input = (over: Partial<PriorityInput>): PriorityInput => ({ intent: 'question', urgency: 'normal', negativeSentiment: 0.5, escalation: [], waitingMinutes: 0, minutesToBreach: null, followers: 50, ...over });
    const celebrity = scorePriority(input({ followers: 5_000_000 })).score;
    const severe = scorePriority(input({ intent: 'privacy_security', urgency: 'high' })).score;
    expect(order([work('celebrity', celebrity, 1), work('small-account-severe', severe, 0.5)])).toEqual(['small-account-severe', 'celebrity']);
    expect(order([work('celebrity', celebrity, 8), work('small-account', scorePriority(input({})).score, 9)])).toEqual(['small-account', 'celebrity']);
  });

  it('picks only what the agent can take, in that order, or nothing', () => {
    const list = [work('en-fresh', 90, 0), work('fr-late', 10, 13), work('en-late', 10, 12)];
    const english = (w: WaitingWork) => w.id.startsWith('en');
    expect(pickNextWork(list, NOW, english)).toBe(2);
    expect(pickNextWork(list, NOW, () => true)).toBe(1);
    expect(pickNextWork(list, NOW, () => false)).toBe(-1);
  });
});
