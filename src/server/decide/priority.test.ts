import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { scorePriority, type PriorityInput } from './priority.js';
import { DEFAULT_PRIORITY_WEIGHTS, resolvePriorityWeights } from './priority-weights.js';
import { createRandom, type Random } from './simulator/random.js';

const base: PriorityInput = {
  intent: 'question',
  urgency: 'normal',
  negativeSentiment: 0.2,
  escalation: [],
  waitingMinutes: 0,
  minutesToBreach: null,
  followers: 50,
};

const INTENTS = Object.keys(DEFAULT_PRIORITY_WEIGHTS.intentSeverity).concat(['unknown_intent']);
const URGENCIES = ['low', 'normal', 'high', 'critical'] as const;
const RISKS = ['regulator', 'legal', 'press', 'cancellation', 'safety', 'other'];

function randomInput(r: Random): PriorityInput {
  return {
    intent: r.pick(INTENTS),
    urgency: r.pick(URGENCIES),
    negativeSentiment: r.next(),
    escalation: RISKS.filter(() => r.chance(0.15)),
    waitingMinutes: r.chance(0.5) ? 0 : r.next() * 600,
    minutesToBreach: r.chance(0.3) ? null : r.next() * 200 - 40,
    followers: 0,
  };
}

describe('scorePriority', () => {
  it('puts an outage above praise and promotion', () => {
    const outage = scorePriority({ ...base, intent: 'outage', urgency: 'high', negativeSentiment: 0.9 });
    const praise = scorePriority({ ...base, intent: 'praise', negativeSentiment: 0 });
    const promo = scorePriority({ ...base, intent: 'promotion', negativeSentiment: 0 });
    expect(outage.score).toBeGreaterThan(praise.score);
    expect(praise.score).toBeGreaterThan(promo.score);
    expect(outage.band).toBe('high');
    expect(promo.band).toBe('low');
  });

  it('explains every part and sums to the score', () => {
    const r = scorePriority({ ...base, escalation: ['regulator', 'press'], followers: 200_000, minutesToBreach: 10 });
    expect(r.parts.map((p) => p.name)).toEqual(['severity', 'urgency', 'sentiment', 'escalation', 'waiting', 'sla_risk', 'reach']);
    const sum = r.parts.reduce((s, p) => s + p.points, 0);
    expect(Math.abs(sum - r.score)).toBeLessThan(0.05);
    expect(r.parts.find((p) => p.name === 'escalation')?.why).toContain('regulator');
  });

  it('raises urgency as the SLA nears breach and waiting grows', () => {
    const far = scorePriority({ ...base, minutesToBreach: 120 });
    const near = scorePriority({ ...base, minutesToBreach: 5 });
    const breached = scorePriority({ ...base, minutesToBreach: -3 });
    expect(near.score).toBeGreaterThan(far.score);
    expect(breached.score).toBeGreaterThan(near.score);
    expect(scorePriority({ ...base, waitingMinutes: 120 }).score).toBeGreaterThan(scorePriority(base).score);
  });

  it('gives reach a log-scaled bonus that never exceeds its cap', () => {
    const low = scorePriority({ ...base, followers: 2_000 });
    const mid = scorePriority({ ...base, followers: 100_000 });
    const huge = scorePriority({ ...base, followers: 1e10 });
    const none = scorePriority({ ...base, followers: 10 });
    expect(low.score).toBeGreaterThanOrEqual(none.score);
    expect(mid.score).toBeGreaterThanOrEqual(low.score);
    expect(huge.score - none.score).toBeLessThanOrEqual(DEFAULT_PRIORITY_WEIGHTS.reach.maxPoints);
  });

  it('fairness: a huge following never ranks a less severe problem above a more severe one', () => {
    const r = createRandom(20261123);
    let checked = 0;
    for (let i = 0; i < 8_000; i++) {
      const a = randomInput(r);
      const b = randomInput(r);
      const aFew = scorePriority({ ...a, followers: r.int(0, 300) });
      const bPlain = scorePriority({ ...b, followers: 0 });
      if (aFew.tier <= bPlain.tier) continue;
      checked++;
      for (const followers of [5_000, 1e6, 1e8, 1e12]) {
        const bFamous = scorePriority({ ...b, followers });
        expect(bFamous.score).toBeLessThan(aFew.score);
        expect(bFamous.band).toBe(bPlain.band);
      }
    }
    expect(checked).toBeGreaterThan(2_000);
  });

  it('fairness holds under custom weights too', () => {
    const w = resolvePriorityWeights({ tierWidth: 10, bands: { normal: 20, high: 40, urgent: 70 }, reach: { maxPoints: 9, pointsPerDecade: 4 } });
    const r = createRandom(7);
    for (let i = 0; i < 5_000; i++) {
      const a = scorePriority({ ...randomInput(r), followers: 0 }, w);
      const bIn = randomInput(r);
      const b = scorePriority({ ...bIn, followers: 0 }, w);
      if (a.tier > b.tier) expect(scorePriority({ ...bIn, followers: 1e9 }, w).score).toBeLessThan(a.score);
    }
  });
});

describe('age floor', () => {
  const praise = { ...base, intent: 'praise', urgency: 'low' as const, negativeSentiment: 0 };
  const { afterMinutes, targetMinutes, score } = DEFAULT_PRIORITY_WEIGHTS.ageFloor;

  it('leaves a fresh post alone and lifts one that has waited past the threshold, oldest first', () => {
    expect(scorePriority({ ...praise, waitingMinutes: afterMinutes - 0.5 }).parts.some((p) => p.name === 'age_floor')).toBe(false);
    const lifted = scorePriority({ ...praise, waitingMinutes: afterMinutes + 1 });
    const older = scorePriority({ ...praise, waitingMinutes: targetMinutes - 0.5 });
    expect(lifted.score).toBeGreaterThanOrEqual(score);
    expect(older.score).toBeGreaterThan(lifted.score);
    // Still inside the floor's tier, so a lifted post never jumps a band above the floor's.
    expect(scorePriority({ ...praise, waitingMinutes: 600 }).score).toBeLessThan(score + DEFAULT_PRIORITY_WEIGHTS.tierWidth);
    const fresh = scorePriority({ ...base, intent: 'billing', urgency: 'high', negativeSentiment: 0.9 });
    expect(lifted.score).toBeGreaterThan(fresh.score);
    const sum = older.parts.reduce((s, p) => s + p.points, 0);
    expect(Math.abs(sum - older.score)).toBeLessThan(0.05);
    expect(older.parts.find((p) => p.name === 'age_floor')?.why).toContain('waiting');
  });

  it('gives reach nothing on a lifted score, so a big following cannot jump the waiting line', () => {
    const plain = scorePriority({ ...praise, waitingMinutes: 9, followers: 10 });
    const famous = scorePriority({ ...praise, waitingMinutes: 9, followers: 5e7 });
    expect(famous.score).toBe(plain.score);
    expect(scorePriority({ ...praise, waitingMinutes: 9.5, followers: 10 }).score).toBeGreaterThan(famous.score);
  });

  it('keeps a more severe problem above the floor, and can be turned off', () => {
    const severe = { ...base, intent: 'privacy_security', urgency: 'critical' as const, negativeSentiment: 1, escalation: ['regulator', 'press'] };
    const s = scorePriority({ ...severe, waitingMinutes: 10 });
    expect(s.parts.some((p) => p.name === 'age_floor')).toBe(false);
    expect(s.score).toBeGreaterThan(scorePriority({ ...praise, waitingMinutes: 14 }).score);
    const off = resolvePriorityWeights({ ageFloor: { afterMinutes: 0 } });
    expect(scorePriority({ ...praise, waitingMinutes: 14 }, off).score).toBeLessThan(25);
  });

  it('rejects a target before the threshold and a floor without room for its tier', () => {
    expect(() => resolvePriorityWeights({ ageFloor: { afterMinutes: 10, targetMinutes: 5 } })).toThrow(/targetMinutes/);
    expect(() => resolvePriorityWeights({ ageFloor: { score: 98 } })).toThrow(/ageFloor.score/);
  });
});

describe('resolvePriorityWeights', () => {
  it('merges overrides on the defaults', () => {
    const w = resolvePriorityWeights({ intentSeverity: { recall: 28 }, urgency: { critical: 25 } });
    expect(w.intentSeverity.recall).toBe(28);
    expect(w.intentSeverity.outage).toBe(30);
    expect(w.urgency).toEqual({ low: 0, normal: 5, high: 12, critical: 25 });
  });

  it('rejects weights that would let reach cross a band or tier', () => {
    expect(() => resolvePriorityWeights({ bands: { high: 52 } })).toThrow(ZodError);
    expect(() => resolvePriorityWeights({ reach: { maxPoints: 5 } })).toThrow(/tierWidth/);
    expect(() => resolvePriorityWeights({ unknownKey: 1 })).toThrow(ZodError);
  });
});
