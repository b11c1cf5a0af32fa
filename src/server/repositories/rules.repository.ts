import type { Rule } from '../decide/rules/rule-schema.js';
import { decideDb } from './decide-tables.js';
import { chunk, fromJson, type Executor } from './executor.js';

export interface RuleRecord {
  rule: Rule;
  position: number;
  createdAt: number;
  updatedAt: number;
}

export interface RuleRun {
  id: string;
  ruleId: string;
  eventType: string;
  conversationId: string | null;
  messageId: string | null;
  actions: unknown[];
  causation: { ruleIds: readonly string[]; depth: number };
  at: number;
}

/** Automation rules in evaluation order, and the log of what they did. */
export const createRulesRepository = (executor: Executor) => {
  const db = decideDb(executor);
  return {
    async list(): Promise<RuleRecord[]> {
      const rows = await db.selectFrom('rules').selectAll().orderBy('position').orderBy('id').execute();
      return rows.map((r) => ({ rule: fromJson<Rule>(r.definition, {} as Rule), position: r.position, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) }));
    },

    async get(id: string): Promise<RuleRecord | null> {
      const r = await db.selectFrom('rules').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? { rule: fromJson<Rule>(r.definition, {} as Rule), position: r.position, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) } : null;
    },

    async save(r: RuleRecord): Promise<void> {
      const values = { name: r.rule.name, position: r.position, definition: JSON.stringify(r.rule), updated_at: r.updatedAt };
      await db.insertInto('rules').values({ id: r.rule.id, ...values, created_at: r.createdAt }).onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    },

    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('rules').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async nextPosition(): Promise<number> {
      const r = await db.selectFrom('rules').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
      return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
    },

    async recordRuns(runs: readonly RuleRun[]): Promise<void> {
      for (const part of chunk(runs, 200)) {
        await db
          .insertInto('rule_runs')
          .values(part.map((r) => ({ id: r.id, rule_id: r.ruleId, event_type: r.eventType, conversation_id: r.conversationId, message_id: r.messageId, actions: JSON.stringify(r.actions), causation: JSON.stringify(r.causation), at: r.at })))
          .execute();
      }
    },

    async runsFor(filter: { conversationId?: string; ruleId?: string }, limit: number): Promise<RuleRun[]> {
      let q = db.selectFrom('rule_runs').selectAll();
      if (filter.conversationId) q = q.where('conversation_id', '=', filter.conversationId);
      if (filter.ruleId) q = q.where('rule_id', '=', filter.ruleId);
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, ruleId: r.rule_id, eventType: r.event_type, conversationId: r.conversation_id, messageId: r.message_id, actions: fromJson(r.actions, []), causation: fromJson(r.causation, { ruleIds: [], depth: 0 }), at: Number(r.at) }));
    },

    /** Ids of the newest inbound messages that reached a conversation: the sample a dry run replays. */
    async recentInboundMessageIds(limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('messages')
        .select('id')
        .where('direction', '=', 'in')
        .where('conversation_id', 'is not', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** Rule-applied tags, merged into the conversation's list (kept sorted and unique). */
    async addTags(conversationId: string, tags: readonly string[], now: number): Promise<string[]> {
      const row = await db.selectFrom('conversations').select('tags').where('id', '=', conversationId).executeTakeFirst();
      const merged = [...new Set([...fromJson<string[]>(row?.tags, []), ...tags])].sort();
      await db.updateTable('conversations').set({ tags: JSON.stringify(merged), updated_at: now }).where('id', '=', conversationId).execute();
      return merged;
    },

    async customerFacts(ids: readonly string[]): Promise<Map<string, { tier: string; followers: number; verified: boolean; displayName: string | null; handle: string | null }>> {
      const out = new Map<string, { tier: string; followers: number; verified: boolean; displayName: string | null; handle: string | null }>();
      for (const part of chunk(ids)) {
        const rows = await db.selectFrom('customers').select(['id', 'tier', 'followers', 'verified', 'display_name', 'handle']).where('id', 'in', part).execute();
        for (const r of rows) out.set(r.id, { tier: r.tier, followers: Number(r.followers), verified: Boolean(r.verified), displayName: r.display_name, handle: r.handle });
      }
      return out;
    },
  };
};

export type RulesRepository = ReturnType<typeof createRulesRepository>;
