import { describe, expect, it } from 'vitest';
import { compileRules, dryRun, evaluateRules, type RuleEvent } from './evaluate-rules.js';
import { ruleSchema, type Rule, type RuleInput } from './rule-schema.js';

const rule = (r: Partial<RuleInput> & Pick<RuleInput, 'id'>): Rule =>
  ruleSchema.parse({ name: r.id, trigger: 'message_created', actions: [{ type: 'tag', tags: ['t'] }], ...r });

const context = {
  channel: 'x',
  message: { text: 'My card was charged TWICE, refund please!' },
  classification: { intent: { label: 'billing', score: 0.91 }, urgency: 'high', escalation: ['regulator'], spam: false },
  author: { followers: 120_000, verified: true },
  customer: { tier: 'vip' },
};
const created: RuleEvent = { id: 'e1', type: 'message_created' };

describe('rule conditions', () => {
  const fires = (conditions: RuleInput['conditions'], ctx: Record<string, unknown> = context) =>
    evaluateRules([rule({ id: 'r', conditions })], created, ctx).length > 0;

  it('matches text with contains and regex, case-insensitively by default', () => {
    expect(fires({ all: [{ field: 'message.text', op: 'contains', value: 'charged twice' }] })).toBe(true);
    expect(fires({ all: [{ field: 'message.text', op: 'regex', value: '\\brefund(s)?\\b' }] })).toBe(true);
    expect(fires({ all: [{ field: 'message.text', op: 'regex', value: 'twice', caseSensitive: true }] })).toBe(false);
    expect(fires({ all: [{ field: 'message.text', op: 'not_contains', value: 'refund' }] })).toBe(false);
  });

  it('compares numbers, classifier outputs, tiers and channels', () => {
    expect(fires({ all: [{ field: 'author.followers', op: 'gte', value: 100_000 }, { field: 'customer.tier', op: 'eq', value: 'vip' }] })).toBe(true);
    expect(fires({ all: [{ field: 'author.followers', op: 'lt', value: 100_000 }] })).toBe(false);
    expect(fires({ all: [{ field: 'classification.intent.score', op: 'gt', value: 0.9 }, { field: 'channel', op: 'in', value: ['x', 'bluesky'] }] })).toBe(true);
    expect(fires({ all: [{ field: 'classification.escalation', op: 'contains', value: 'regulator' }] })).toBe(true);
    expect(fires({ all: [{ field: 'classification.escalation', op: 'eq', value: 'press' }] })).toBe(false);
    expect(fires({ all: [{ field: 'incident.id', op: 'exists', value: false }] })).toBe(true);
    expect(fires({ all: [{ field: 'customer.missing.deep', op: 'gt', value: 1 }] })).toBe(false);
  });

  it('nests all/any groups', () => {
    const cond = {
      any: [
        { field: 'classification.intent.label', op: 'eq' as const, value: 'outage' },
        { all: [{ field: 'classification.urgency', op: 'eq' as const, value: 'high' }, { field: 'channel', op: 'neq' as const, value: 'email' }] },
      ],
    };
    expect(fires(cond)).toBe(true);
    expect(fires(cond, { ...context, channel: 'email' })).toBe(false);
    expect(fires({ all: [] })).toBe(true);
  });

  it('rejects invalid rules: bad regex, catastrophic regex, non-http webhook, empty assign', () => {
    const bad = (r: object) => ruleSchema.safeParse({ id: 'x', name: 'x', trigger: 'schedule', actions: [{ type: 'close_spam' }], ...r }).success;
    expect(bad({ conditions: { all: [{ field: 'message.text', op: 'regex', value: '(unclosed' }] } })).toBe(false);
    expect(bad({ conditions: { all: [{ field: 'message.text', op: 'regex', value: '(a+)+$' }] } })).toBe(false);
    expect(bad({ actions: [{ type: 'notify_webhook', url: 'file:///etc/passwd' }] })).toBe(false);
    expect(bad({ actions: [{ type: 'assign' }] })).toBe(false);
    expect(bad({ trigger: 'on_a_whim' })).toBe(false);
    expect(bad({ actions: [{ type: 'notify_webhook', url: 'https://hooks.example.com/parley' }] })).toBe(true);
  });
});

describe('evaluateRules', () => {
  const rules = [
    rule({ id: 'vip', conditions: { all: [{ field: 'customer.tier', op: 'eq', value: 'vip' }] }, actions: [{ type: 'set_priority', band: 'high' }, { type: 'assign', teamId: 'vip-desk' }] }),
    rule({ id: 'off', enabled: false }),
    rule({ id: 'sla', trigger: 'sla_warning', actions: [{ type: 'escalate' }] }),
    rule({ id: 'spam', conditions: { all: [{ field: 'classification.spam', op: 'eq', value: true }] }, actions: [{ type: 'close_spam' }], stopProcessing: true }),
    rule({ id: 'hook', actions: [{ type: 'notify_webhook', url: 'https://hooks.example.com/x' }] }),
  ];

  it('plans the actions of matching enabled rules for the trigger, in order', () => {
    const planned = evaluateRules(rules, created, context);
    expect(planned.map((p) => `${p.ruleId}:${p.action.type}`)).toEqual(['vip:set_priority', 'vip:assign', 'hook:notify_webhook']);
    expect(planned[0]?.causation).toEqual({ ruleIds: ['vip'], depth: 1 });
    expect(evaluateRules(rules, { id: 'e2', type: 'sla_warning' }, context).map((p) => p.action.type)).toEqual(['escalate']);
  });

  it('builds a context given as a function only when a rule listens for the event, and once', () => {
    let built = 0;
    const build = () => {
      built += 1;
      return context;
    };
    expect(evaluateRules(rules, { id: 'e3', type: 'conversation_updated' }, build)).toEqual([]);
    expect(built).toBe(0);
    expect(evaluateRules(rules, created, build).map((p) => p.ruleId)).toEqual(['vip', 'vip', 'hook']);
    expect(built).toBe(1);
  });

  it('stops after a rule marked stopProcessing', () => {
    const planned = evaluateRules(rules, created, { ...context, customer: { tier: 'std' }, classification: { spam: true } });
    expect(planned.map((p) => p.ruleId)).toEqual(['spam']);
  });

  it('never fires a rule twice on the same causation chain', () => {
    // Two rules that would ping-pong forever: each update triggers the other.
    const loop = compileRules([
      rule({ id: 'a', trigger: 'conversation_updated', actions: [{ type: 'tag', tags: ['a'] }] }),
      rule({ id: 'b', trigger: 'conversation_updated', actions: [{ type: 'tag', tags: ['b'] }] }),
    ]);
    let event: RuleEvent = { id: 'u0', type: 'conversation_updated' };
    const fired: string[] = [];
    for (let i = 1; i < 10; i++) {
      const planned = evaluateRules(loop, event, context);
      if (planned.length === 0) break;
      const first = planned[0]!;
      fired.push(...planned.map((p) => p.ruleId));
      event = { id: `u${i}`, type: 'conversation_updated', causation: first.causation };
    }
    expect(fired).toEqual(['a', 'b', 'b']);
  });

  it('caps the causation depth', () => {
    const many = compileRules(Array.from({ length: 10 }, (_, i) => rule({ id: `r${i}`, trigger: 'conversation_updated' })), { maxDepth: 3 });
    let event: RuleEvent = { id: 'u0', type: 'conversation_updated' };
    let rounds = 0;
    for (;;) {
      const planned = evaluateRules(many, event, context);
      const last = planned[planned.length - 1];
      if (!last) break;
      rounds++;
      event = { id: `u${rounds}`, type: 'conversation_updated', causation: last.causation };
    }
    expect(rounds).toBe(3);
    expect(event.causation?.depth).toBe(3);
  });
});

describe('dryRun', () => {
  it('reports what a draft rule would have done on each recent event', () => {
    const draft = rule({ id: 'draft', enabled: false, conditions: { all: [{ field: 'author.followers', op: 'gt', value: 1000 }] }, actions: [{ type: 'reply_with_macro', macroId: 'm1' }] });
    const results = dryRun(draft, [
      { event: { id: 'a', type: 'message_created' }, context },
      { event: { id: 'b', type: 'message_created' }, context: { author: { followers: 3 } } },
      { event: { id: 'c', type: 'schedule' }, context },
    ]);
    expect(results.map((r) => [r.eventId, r.matched, r.actions.length])).toEqual([
      ['a', true, 1],
      ['b', false, 0],
      ['c', false, 0],
    ]);
  });
});

describe('regex flags', () => {
  it('uses Unicode mode only for patterns that need it', async () => {
    const { regexFlags } = await import('./rule-schema.js');
    expect(regexFlags('\\brefund\\b')).toBe('i');
    expect(regexFlags('\\p{Emoji}', true)).toBe('u');
    const r = rule({ id: 'emoji', conditions: { all: [{ field: 'message.text', op: 'regex', value: '\\p{Extended_Pictographic}' }] } });
    expect(evaluateRules([r], created, { message: { text: 'great 👍' } })).toHaveLength(1);
    expect(evaluateRules([r], created, { message: { text: 'great' } })).toHaveLength(0);
  });
});
