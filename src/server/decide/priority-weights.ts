import { z } from 'zod';

/** Escalation risks the understand stage reports (Classification.escalation). */
export const ESCALATION_RISKS = ['regulator', 'legal', 'press', 'cancellation', 'safety'] as const;
export type EscalationRisk = (typeof ESCALATION_RISKS)[number];

const points = z.number().min(0).max(100);

/**
 * Per-workspace priority weights. Every number is in score points (0..100 scale).
 * `tierWidth` is the fairness band: reach may move a message only inside the tier of width
 * `tierWidth` its need score falls in, and band thresholds must sit on tier boundaries so reach
 * can never change a message's band either.
 */
export const priorityWeightsSchema = z
  .object({
    intentSeverity: z.record(z.string().min(1), points),
    defaultIntentSeverity: points,
    urgency: z.object({ low: points, normal: points, high: points, critical: points }),
    negativeSentiment: points,
    escalation: z.object({
      regulator: points,
      legal: points,
      press: points,
      cancellation: points,
      safety: points,
    }),
    escalationCap: points,
    waiting: z.object({ points, fullAtMinutes: z.number().positive() }),
    slaRisk: z.object({ points, windowMinutes: z.number().positive() }),
    /**
     * Nobody waits long whatever their problem: once a post has waited `afterMinutes` for a response its score is
     * lifted to at least `score`, rising by up to one tier as the wait approaches `targetMinutes`, so among lifted
     * posts the oldest comes first. Reach adds nothing to a lifted score. `afterMinutes: 0` turns it off.
     */
    ageFloor: z.object({ afterMinutes: z.number().min(0), targetMinutes: z.number().positive(), score: points }),
    reach: z.object({
      floorFollowers: z.number().int().min(1),
      pointsPerDecade: z.number().min(0).max(20),
      maxPoints: z.number().min(0).max(20),
    }),
    tierWidth: z.number().int().min(1).max(25),
    bands: z.object({ normal: points, high: points, urgent: points }),
  })
  .superRefine((w, ctx) => {
    const { normal, high, urgent } = w.bands;
    if (!(normal < high && high < urgent)) {
      ctx.addIssue({ code: 'custom', path: ['bands'], message: 'band thresholds must rise: normal < high < urgent' });
    }
    for (const [name, value] of Object.entries(w.bands)) {
      if (value % w.tierWidth !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['bands', name],
          message: `band threshold ${value} must be a multiple of tierWidth ${w.tierWidth} so reach cannot change a band`,
        });
      }
    }
    if (w.ageFloor.afterMinutes > 0 && w.ageFloor.targetMinutes <= w.ageFloor.afterMinutes) {
      ctx.addIssue({ code: 'custom', path: ['ageFloor', 'targetMinutes'], message: 'ageFloor.targetMinutes must be later than ageFloor.afterMinutes' });
    }
    if (w.ageFloor.score + w.tierWidth > 100) {
      ctx.addIssue({ code: 'custom', path: ['ageFloor', 'score'], message: `ageFloor.score must leave room for one tier (at most ${100 - w.tierWidth})` });
    }
    if (w.reach.maxPoints >= w.tierWidth) {
      ctx.addIssue({ code: 'custom', path: ['reach', 'maxPoints'], message: 'reach.maxPoints must stay below tierWidth' });
    }
  });

export type PriorityWeights = z.infer<typeof priorityWeightsSchema>;

/** Defaults: service-breaking and risky problems first, praise and promotion last. */
export const DEFAULT_PRIORITY_WEIGHTS: PriorityWeights = Object.freeze({
  intentSeverity: {
    outage: 30,
    privacy_security: 30,
    safety: 30,
    cancellation: 24,
    billing: 22,
    account_access: 20,
    technical: 18,
    delivery: 16,
    refund: 18,
    complaint: 14,
    question: 10,
    feedback: 6,
    other: 4,
    praise: 2,
    promotion: 0,
    spam: 0,
  },
  defaultIntentSeverity: 8,
  urgency: { low: 0, normal: 5, high: 12, critical: 20 },
  negativeSentiment: 10,
  escalation: { regulator: 12, legal: 12, press: 10, cancellation: 8, safety: 15 },
  escalationCap: 20,
  waiting: { points: 10, fullAtMinutes: 240 },
  slaRisk: { points: 15, windowMinutes: 60 },
  // From 4 minutes of waiting every post ranks above ordinary fresh ones (severe ones stay above it), oldest first, so none reaches 15.
  ageFloor: { afterMinutes: 4, targetMinutes: 15, score: 70 },
  reach: { floorFollowers: 1000, pointsPerDecade: 1.5, maxPoints: 4.5 },
  tierWidth: 5,
  bands: { normal: 25, high: 50, urgent: 75 },
}) as PriorityWeights;

const overridesSchema = z
  .object({
    intentSeverity: z.record(z.string().min(1), points),
    defaultIntentSeverity: points,
    urgency: z.object({ low: points, normal: points, high: points, critical: points }).partial(),
    negativeSentiment: points,
    escalation: z
      .object({ regulator: points, legal: points, press: points, cancellation: points, safety: points })
      .partial(),
    escalationCap: points,
    waiting: z.object({ points, fullAtMinutes: z.number().positive() }).partial(),
    slaRisk: z.object({ points, windowMinutes: z.number().positive() }).partial(),
    ageFloor: z.object({ afterMinutes: z.number().min(0), targetMinutes: z.number().positive(), score: points }).partial(),
    reach: z
      .object({
        floorFollowers: z.number().int().min(1),
        pointsPerDecade: z.number().min(0),
        maxPoints: z.number().min(0),
      })
      .partial(),
    tierWidth: z.number().int(),
    bands: z.object({ normal: points, high: points, urgent: points }).partial(),
  })
  .partial()
  .strict();

export type PriorityWeightOverrides = z.input<typeof overridesSchema>;

/**
 * Merges a workspace's stored overrides onto the defaults and validates the result;
 * throws a ZodError listing every problem.
 */
export function resolvePriorityWeights(overrides: unknown = {}): PriorityWeights {
  const o = overridesSchema.parse(overrides);
  const d = DEFAULT_PRIORITY_WEIGHTS;
  const merged = {
    ...d,
    ...o,
    intentSeverity: { ...d.intentSeverity, ...o.intentSeverity },
    urgency: { ...d.urgency, ...o.urgency },
    escalation: { ...d.escalation, ...o.escalation },
    waiting: { ...d.waiting, ...o.waiting },
    slaRisk: { ...d.slaRisk, ...o.slaRisk },
    ageFloor: { ...d.ageFloor, ...o.ageFloor },
    reach: { ...d.reach, ...o.reach },
    bands: { ...d.bands, ...o.bands },
  };
  return priorityWeightsSchema.parse(merged);
}
