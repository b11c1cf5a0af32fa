import { z } from 'zod';

export const RULE_TRIGGERS = ['message_created', 'conversation_updated', 'sla_warning', 'incident_detected', 'schedule'] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];

/** Dotted path into the rule context, e.g. `classification.intent.label`, `author.followers`, `customer.tier`. */
const fieldPath = z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/, 'expected a dotted field path');
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Nested quantifiers like (a+)+ backtrack exponentially; refuse them rather than risk a stalled worker. */
const NESTED_QUANTIFIER = /\([^)]*[+*][^)]*\)\s*[+*{]/;

/**
 * Flags a rule's regex runs with. Unicode mode only when the pattern uses Unicode escapes: V8's
 * case-insensitive Unicode matching is many times slower, and keyword patterns do not need it.
 */
export function regexFlags(pattern: string, caseSensitive = false): string {
  const unicode = /\\[pP]\{|\\u\{/.test(pattern);
  return `${caseSensitive ? '' : 'i'}${unicode ? 'u' : ''}`;
}

function regexProblem(pattern: string): string | null {
  if (NESTED_QUANTIFIER.test(pattern)) return 'nested quantifiers are not allowed (catastrophic backtracking)';
  try {
    new RegExp(pattern, regexFlags(pattern));
    return null;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
}

export const conditionSchema = z.discriminatedUnion('op', [
  z.object({ field: fieldPath, op: z.enum(['eq', 'neq']), value: scalar }),
  z.object({ field: fieldPath, op: z.enum(['in', 'not_in']), value: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.object({ field: fieldPath, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number() }),
  z.object({ field: fieldPath, op: z.enum(['contains', 'not_contains']), value: z.string().min(1) }),
  z.object({
    field: fieldPath,
    op: z.literal('regex'),
    value: z
      .string()
      .min(1)
      .max(200)
      .superRefine((p, ctx) => {
        const problem = regexProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    caseSensitive: z.boolean().optional(),
  }),
  z.object({ field: fieldPath, op: z.literal('exists'), value: z.boolean() }),
]);
export type Condition = z.infer<typeof conditionSchema>;

export type ConditionGroup = { all: ConditionNode[] } | { any: ConditionNode[] };
export type ConditionNode = Condition | ConditionGroup;

export const conditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.union([z.object({ all: z.array(conditionNodeSchema) }).strict(), z.object({ any: z.array(conditionNodeSchema).min(1) }).strict()]),
);
const conditionNodeSchema: z.ZodType<ConditionNode> = z.lazy(() => z.union([conditionSchema, conditionGroupSchema]));

const httpUrl = z.url({ protocol: /^https?$/ });

export const ruleActionSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('assign'), agentId: z.string().min(1).optional(), teamId: z.string().min(1).optional() })
    .refine((a) => a.agentId !== undefined || a.teamId !== undefined, { message: 'assign needs an agentId or a teamId' }),
  z.object({ type: z.literal('tag'), tags: z.array(z.string().min(1).max(64)).min(1) }),
  z.object({ type: z.literal('set_priority'), band: z.enum(['low', 'normal', 'high', 'urgent']) }),
  z.object({ type: z.literal('reply_with_macro'), macroId: z.string().min(1) }),
  z.object({ type: z.literal('send_private_link'), macroId: z.string().min(1).optional() }),
  z.object({ type: z.literal('notify_webhook'), url: httpUrl }),
  z.object({ type: z.literal('escalate'), reason: z.string().max(500).optional() }),
  z.object({ type: z.literal('close_spam') }),
]);
export type RuleAction = z.infer<typeof ruleActionSchema>;

export const ruleSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  trigger: z.enum(RULE_TRIGGERS),
  conditions: conditionGroupSchema.default({ all: [] }),
  actions: z.array(ruleActionSchema).min(1),
  /** Schedule rules: how often they run over the open conversations, in minutes (default 60). */
  everyMinutes: z.number().int().min(1).max(10_080).optional(),
  /** When this rule fires, later rules (in list order) are not evaluated for the event. */
  stopProcessing: z.boolean().default(false),
});
export type Rule = z.output<typeof ruleSchema>;
export type RuleInput = z.input<typeof ruleSchema>;
