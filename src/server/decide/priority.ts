import type { Urgency } from '../classifier/types.js';
import { DEFAULT_PRIORITY_WEIGHTS, type PriorityWeights } from './priority-weights.js';

export type PriorityBand = 'low' | 'normal' | 'high' | 'urgent';

export interface PriorityInput {
  /** Intent label from the understand stage (outage, billing, praise, …). */
  intent: string;
  urgency: Urgency;
  /** Probability (0..1) that the message is negative: Classification.sentiment.scores.negative. */
  negativeSentiment: number;
  /** Escalation risks found: regulator | legal | press | cancellation | safety (others are ignored). */
  escalation: readonly string[];
  /** Minutes the customer has waited for a response so far. */
  waitingMinutes: number;
  /** Business minutes left before the SLA breaches; negative when breached; null without a running clock. */
  minutesToBreach: number | null;
  /** Author's followers on the platform (reach). */
  followers: number;
}

export interface PriorityPart {
  name: string;
  points: number;
  why: string;
}

export interface PriorityResult {
  /** 0..100, two decimals. */
  score: number;
  band: PriorityBand;
  /** Score without reach: what the problem itself needs. */
  need: number;
  /** Fairness tier: floor(need / tierWidth). Reach never lifts a score out of its tier. */
  tier: number;
  parts: PriorityPart[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/**
 * Scores one message. Reach is the only part that depends on who is asking rather than what
 * they need, so it is log-scaled, capped, and confined to the need score's tier: a message from
 * a huge account can never outrank a message whose problem sits in a higher tier.
 */
export function scorePriority(input: PriorityInput, weights: PriorityWeights = DEFAULT_PRIORITY_WEIGHTS): PriorityResult {
  const parts: PriorityPart[] = [];
  const add = (name: string, points: number, why: string): void => {
    parts.push({ name, points: round2(points), why });
  };

  const severity = weights.intentSeverity[input.intent] ?? weights.defaultIntentSeverity;
  add('severity', severity, `intent ${input.intent}`);

  add('urgency', weights.urgency[input.urgency], `urgency ${input.urgency}`);

  const negative = clamp(Number.isFinite(input.negativeSentiment) ? input.negativeSentiment : 0, 0, 1);
  add('sentiment', negative * weights.negativeSentiment, `negative ${Math.round(negative * 100)}%`);

  let escalation = 0;
  const risks: string[] = [];
  for (const risk of new Set(input.escalation)) {
    const pts = (weights.escalation as Record<string, number | undefined>)[risk];
    if (pts !== undefined) {
      escalation += pts;
      risks.push(risk);
    }
  }
  escalation = Math.min(escalation, weights.escalationCap);
  add('escalation', escalation, risks.length > 0 ? `risk: ${risks.join(', ')}` : 'no escalation risk');

  const waited = Math.max(0, input.waitingMinutes);
  add('waiting', Math.min(1, waited / weights.waiting.fullAtMinutes) * weights.waiting.points, `waiting ${Math.round(waited)} min`);

  if (input.minutesToBreach === null) {
    add('sla_risk', 0, 'no SLA clock running');
  } else {
    const left = input.minutesToBreach;
    const share = left <= 0 ? 1 : clamp(1 - left / weights.slaRisk.windowMinutes, 0, 1);
    add('sla_risk', share * weights.slaRisk.points, left <= 0 ? 'SLA breached' : `${Math.round(left)} min to breach`);
  }

  const organic = clamp(parts.reduce((sum, p) => sum + p.points, 0), 0, 100);
  const floor = ageFloorScore(waited, weights);
  if (floor !== null && floor > organic) {
    add('age_floor', floor - organic, `waiting ${Math.round(waited)} min: lifted so no one waits past ${weights.ageFloor.targetMinutes} min, oldest first`);
    const score = Math.floor(floor * 100) / 100;
    add('reach', 0, `${Math.max(0, input.followers)} followers: no reach bonus while lifted by waiting time`);
    return { score, band: bandFor(score, weights), need: round2(floor), tier: Math.floor(floor / weights.tierWidth), parts };
  }
  const need = organic;
  const tierFloor = Math.floor(need / weights.tierWidth) * weights.tierWidth;
  const tierCeiling = tierFloor + weights.tierWidth;

  const { floorFollowers, pointsPerDecade, maxPoints } = weights.reach;
  const followers = Math.max(0, input.followers);
  const rawReach =
    followers > floorFollowers ? Math.min(maxPoints, pointsPerDecade * Math.log10(followers / floorFollowers)) : 0;
  // The cap is below the tier ceiling, so reach never crosses into the next tier.
  const unrounded = Math.min(need + rawReach, tierCeiling - 0.01, 100);
  const score = Math.floor(unrounded * 100) / 100;
  const applied = round2(Math.max(0, score - need));
  add(
    'reach',
    applied,
    rawReach === 0
      ? `${followers} followers: no reach bonus`
      : applied < round2(rawReach)
        ? `${followers} followers: +${round2(rawReach)} capped to stay in its severity tier`
        : `${followers} followers (log-scaled, at most +${maxPoints})`,
  );

  return { score, band: bandFor(score, weights), need: round2(need), tier: tierFloor / weights.tierWidth, parts };
}

/**
 * The score a post that has waited `waited` minutes is lifted to, or null before the floor applies: `score` at
 * `afterMinutes`, rising linearly to just under the next tier at `targetMinutes`, so the longer wait ranks higher.
 */
export function ageFloorScore(waited: number, weights: PriorityWeights = DEFAULT_PRIORITY_WEIGHTS): number | null {
  const { afterMinutes, targetMinutes, score } = weights.ageFloor;
  if (afterMinutes <= 0 || waited < afterMinutes) return null;
  const share = clamp((waited - afterMinutes) / (targetMinutes - afterMinutes), 0, 1);
  return score + share * (weights.tierWidth - 0.01);
}

export function bandFor(score: number, weights: PriorityWeights = DEFAULT_PRIORITY_WEIGHTS): PriorityBand {
  if (score >= weights.bands.urgent) return 'urgent';
  if (score >= weights.bands.high) return 'high';
  if (score >= weights.bands.normal) return 'normal';
  return 'low';
}
