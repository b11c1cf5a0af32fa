import { z } from 'zod';
import type { Actor } from '../../shared/permissions.js';
import { dryRun } from '../decide/rules/evaluate-rules.js';
import { ruleSchema, type Rule } from '../decide/rules/rule-schema.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { bumpDecideVersion } from '../pipeline/decide-config.js';
import { buildRuleContext, decisionStateOf } from '../pipeline/decide-context.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import type { RuleRecord } from '../repositories/rules.repository.js';
import { recordAudit } from './audit.js';
import { parseOrThrow } from './decide-validation.js';

export const ruleInputSchema = ruleSchema.omit({ id: true }).extend({ position: z.number().int().min(0).max(100_000).optional() });
export type RuleInput = z.input<typeof ruleInputSchema>;

/** Automation rules: CRUD (audited, picked up by the decide stage on its next batch), dry runs and the run log. */
export const createRulesService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;

  const save = async (id: string | null, input: unknown, actor: Actor): Promise<RuleRecord> => {
    const parsed = parseOrThrow(ruleInputSchema, input);
    return uow(async (tx) => {
      const now = clock.now();
      const existing = id ? await tx.rules.get(id) : null;
      if (id && !existing) throw new AppError('not_found', `no rule ${id}`);
      const { position, ...body } = parsed;
      const rule: Rule = { ...body, id: existing?.rule.id ?? newId() };
      const record: RuleRecord = { rule, position: position ?? existing?.position ?? (await tx.rules.nextPosition()), createdAt: existing?.createdAt ?? now, updatedAt: now };
      await tx.rules.save(record);
      await bumpDecideVersion(tx, now);
      await recordAudit(tx, actor, now, existing ? 'rule.update' : 'rule.create', { type: 'rule', id: rule.id }, { before: existing?.rule ?? null, after: rule });
      return record;
    });
  };

  const mustGet = async (id: string): Promise<RuleRecord> => {
    const r = await repos.rules.get(id);
    if (!r) throw new AppError('not_found', `no rule ${id}`);
    return r;
  };

  return {
    list: () => repos.rules.list(),
    get: mustGet,
    create: (input: unknown, actor: Actor) => save(null, input, actor),
    update: (id: string, input: unknown, actor: Actor) => save(id, input, actor),

    async remove(id: string, actor: Actor): Promise<void> {
      await uow(async (tx) => {
        const now = clock.now();
        const existing = await tx.rules.get(id);
        if (!existing || !(await tx.rules.delete(id))) throw new AppError('not_found', `no rule ${id}`);
        await bumpDecideVersion(tx, now);
        await recordAudit(tx, actor, now, 'rule.delete', { type: 'rule', id }, { before: existing.rule });
      });
    },

    runs: (filter: { conversationId?: string; ruleId?: string }, limit: number) => repos.rules.runsFor(filter, limit),

    /** What the rule (enabled or not) would have done to the last `limit` inbound messages, each treated as its trigger event. */
    async dryRun(id: string, limit: number) {
      const { rule } = await mustGet(id);
      const ids = await repos.rules.recentInboundMessageIds(limit);
      const messages = await repos.messages.forPipeline(ids);
      const conversations = new Map((await repos.conversations.getMany([...new Set(messages.map((m) => m.conversationId).filter((c): c is string => c !== null))])).map((c) => [c.id, c]));
      const channels = new Map((await repos.channels.getMany([...new Set([...conversations.values()].map((c) => c.channelId))])).map((c) => [c.id, c]));
      const customers = await repos.rules.customerFacts([...new Set([...conversations.values()].map((c) => c.customerId).filter((c): c is string => c !== null))]);
      const order = new Map(ids.map((m, i) => [m, i]));
      const samples = messages
        .filter((m) => m.conversationId !== null && conversations.has(m.conversationId))
        .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
        .map((m) => {
          const conversation = conversations.get(m.conversationId as string)!;
          const context = buildRuleContext({
            message: m, conversation, state: decisionStateOf(conversation), channel: channels.get(conversation.channelId),
            customer: conversation.customerId ? customers.get(conversation.customerId) : undefined, priority: { score: conversation.priority, band: conversation.priorityBand },
          });
          return { message: m, event: { id: m.id, type: rule.trigger }, context };
        });
      const results = dryRun(rule, samples);
      return {
        ruleId: rule.id,
        trigger: rule.trigger,
        examined: results.length,
        matched: results.filter((r) => r.matched).length,
        results: results.map((r, i) => {
          const m = samples[i]!.message;
          return { messageId: m.id, conversationId: m.conversationId, text: m.text.slice(0, 280), createdAt: m.createdAt, matched: r.matched, actions: r.actions.map((a) => a.action) };
        }),
      };
    },
  };
};

export type RulesService = ReturnType<typeof createRulesService>;
