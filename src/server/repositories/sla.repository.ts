import { sql, type Selectable } from 'kysely';
import type { PriorityPart } from '../decide/priority.js';
import type { BusinessCalendar } from '../decide/sla-calendar.js';
import type { SlaMetric, SlaPolicy } from '../decide/sla.js';
import { decideDb, toMs, type SlaClocksTable, type SlaPoliciesTable } from './decide-tables.js';
import { chunk, compiledRows, fromJson, rowOf, type Executor, type ListsEvery } from './executor.js';
import { pushTo } from '../../shared/collections.js';

/**
 * The first reply people sent in each conversation since each time: a rule's automatic reply does not count. One
 * index step per pair (messages_outbound_conversation holds the outbound messages alone).
 */
export const firstResponsesQuery = (pairs: readonly { conversationId: string; since: number }[]) => {
  const values = sql.join(pairs.map((p) => sql`(${p.conversationId}, cast(${p.since} as bigint))`));
  return sql<{ conversation_id: string; since: number | string; at: number | string | null }>`
    select v.column1 as conversation_id, v.column2 as since, min(m.created_at) as at
    from (values ${values}) as v
    join messages m on m.conversation_id = v.column1 and m.direction = 'out' and m.created_at >= v.column2
      and (m.sent_by_user_id is null or m.sent_by_user_id not like 'rule:%')
    group by v.column1, v.column2`;
};

/** Which conversations a policy covers; empty means all. The first matching policy by position wins. */
export interface SlaScope {
  channels?: string[];
  visibility?: 'public' | 'private';
}

export interface SlaPolicyRecord {
  id: string;
  name: string;
  position: number;
  appliesTo: SlaScope;
  policy: SlaPolicy;
  calendar: BusinessCalendar;
  createdAt: number;
  updatedAt: number;
}

export interface PauseSpan {
  from: number;
  to: number | null;
}

export interface SlaClockRecord {
  id: string;
  conversationId: string;
  policyId: string;
  metric: SlaMetric;
  targetMinutes: number;
  startedAt: number;
  dueAt: number | null;
  warnAt: number | null;
  pauses: PauseSpan[];
  metAt: number | null;
  warnedAt: number | null;
  breachedAt: number | null;
  closedAt: number | null;
}

const toPolicy = (r: Selectable<SlaPoliciesTable>): SlaPolicyRecord => ({
  id: r.id,
  name: r.name,
  position: r.position,
  appliesTo: fromJson(r.applies_to, {}),
  policy: { ...fromJson<SlaPolicy>(r.definition, {} as SlaPolicy), id: r.id, name: r.name },
  calendar: fromJson<BusinessCalendar>(r.calendar, { timeZone: 'UTC', hours: {}, holidays: [] }),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toClock = (r: Selectable<SlaClocksTable>): SlaClockRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  policyId: r.policy_id,
  metric: r.metric as SlaMetric,
  targetMinutes: Number(r.target_minutes),
  startedAt: Number(r.started_at),
  dueAt: toMs(r.due_at),
  warnAt: toMs(r.warn_at),
  pauses: fromJson(r.pauses, []),
  metAt: toMs(r.met_at),
  warnedAt: toMs(r.warned_at),
  breachedAt: toMs(r.breached_at),
  closedAt: toMs(r.closed_at),
});

const clockRow = (c: SlaClockRecord): Selectable<SlaClocksTable> => ({
  id: c.id,
  conversation_id: c.conversationId,
  policy_id: c.policyId,
  metric: c.metric,
  target_minutes: c.targetMinutes,
  started_at: c.startedAt,
  due_at: c.dueAt,
  warn_at: c.warnAt,
  pauses: JSON.stringify(c.pauses),
  paused_since: c.pauses.find((p) => p.to === null)?.from ?? null,
  met_at: c.metAt,
  warned_at: c.warnedAt,
  breached_at: c.breachedAt,
  closed_at: c.closedAt,
});

const CLOCK_COLUMNS = ['id', 'conversation_id', 'policy_id', 'metric', 'target_minutes', 'started_at', 'due_at', 'warn_at', 'pauses', 'paused_since', 'met_at', 'warned_at', 'breached_at', 'closed_at'] as const satisfies readonly (keyof SlaClocksTable)[];
const everyClockColumn: ListsEvery<SlaClocksTable, (typeof CLOCK_COLUMNS)[number]> = true;
void everyClockColumn;
const insertClockRows = compiledRows(CLOCK_COLUMNS.length, (db: Executor, rows) =>
  decideDb(db)
    .insertInto('sla_clocks')
    .values(rows.map((r) => rowOf(CLOCK_COLUMNS, r) as Selectable<SlaClocksTable>)),
);

/** SLA policies and the clocks they run per conversation. */
export const createSlaRepository = (executor: Executor) => {
  const db = decideDb(executor);
  return {
    async listPolicies(): Promise<SlaPolicyRecord[]> {
      return (await db.selectFrom('sla_policies').selectAll().orderBy('position').orderBy('id').execute()).map(toPolicy);
    },

    async getPolicy(id: string): Promise<SlaPolicyRecord | null> {
      const r = await db.selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toPolicy(r) : null;
    },

    async savePolicy(p: SlaPolicyRecord): Promise<void> {
      const { id: _id, name: _name, ...definition } = p.policy;
      const values = { name: p.name, position: p.position, applies_to: JSON.stringify(p.appliesTo), definition: JSON.stringify(definition), calendar: JSON.stringify(p.calendar), updated_at: p.updatedAt };
      await db
        .insertInto('sla_policies')
        .values({ id: p.id, ...values, created_at: p.createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    },

    async deletePolicy(id: string): Promise<boolean> {
      const r = await db.deleteFrom('sla_policies').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Clocks still running or paused (not met, not closed), by conversation. */
    async openClocks(conversationIds: readonly string[]): Promise<Map<string, SlaClockRecord[]>> {
      const out = new Map<string, SlaClockRecord[]>();
      for (const part of chunk(conversationIds)) {
        const rows = await db.selectFrom('sla_clocks').selectAll().where('conversation_id', 'in', part).where('closed_at', 'is', null).orderBy('started_at').execute();
        for (const r of rows) pushTo(out, r.conversation_id, toClock(r));
      }
      return out;
    },

    async getClock(id: string): Promise<SlaClockRecord | null> {
      const r = await db.selectFrom('sla_clocks').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toClock(r) : null;
    },

    async clocksOf(conversationId: string): Promise<SlaClockRecord[]> {
      return (await db.selectFrom('sla_clocks').selectAll().where('conversation_id', '=', conversationId).orderBy('started_at').execute()).map(toClock);
    },

    /** New clocks of a decide batch in one multi-row insert. */
    async insertClocks(clocks: readonly SlaClockRecord[]): Promise<void> {
      await insertClockRows(
        executor,
        clocks.map((c) => {
          const row = clockRow(c);
          return CLOCK_COLUMNS.map((column) => row[column]);
        }),
      );
    },

    async saveClock(c: SlaClockRecord): Promise<void> {
      const row = clockRow(c);
      const { id: _id, ...changes } = row;
      await db.insertInto('sla_clocks').values(row).onConflict((oc) => oc.column('id').doUpdateSet(changes)).execute();
    },

    /** Open, running resolution clocks whose warning is due and not yet given, or whose due instant passed unbreached. */
    async longClocksToCheck(now: number, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .select('id')
        .where('metric', '=', 'resolution')
        .where('closed_at', 'is', null)
        .where('warn_at', '<=', now)
        .where('paused_since', 'is', null)
        .where((eb) => eb.or([eb('warned_at', 'is', null), eb.and([eb('due_at', '<=', now), eb('breached_at', 'is', null)])]))
        .orderBy('warn_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** Moves only the conversation's shown SLA due instant, so a clock sync never writes back a stale status or assignee. */
    async setConversationDue(conversationId: string, dueAt: number | null, now: number): Promise<void> {
      await db.updateTable('conversations').set({ sla_due_at: dueAt, updated_at: now }).where('id', '=', conversationId).execute();
    },

    /**
     * Open conversations whose running (unpaused) first- or next-response clock started at or before `startedBefore`
     * and whose priority is below `below`: the ones the age floor may lift. Oldest clocks first, bounded.
     */
    async awaitingResponse(startedBefore: number, below: number, limit: number): Promise<{ conversationId: string; startedAt: number; priority: number; priorityParts: PriorityPart[] }[]> {
      const rows = await db
        .selectFrom('sla_clocks as k')
        .innerJoin('conversations as c', 'c.id', 'k.conversation_id')
        .select(['k.conversation_id', 'k.started_at', 'c.priority', 'c.priority_parts'])
        .where('k.closed_at', 'is', null)
        .where('k.paused_since', 'is', null)
        .where('k.metric', 'in', ['first_response', 'next_response'])
        .where('k.started_at', '<=', startedBefore)
        .where('c.status', '=', 'open')
        // Spam and the marketing queue are not waiting on the service team.
        .where('c.queue', 'not in', ['spam', 'marketing'])
        .where('c.priority', '<', below)
        .orderBy('k.started_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ conversationId: r.conversation_id, startedAt: Number(r.started_at), priority: Number(r.priority), priorityParts: fromJson<PriorityPart[]>(r.priority_parts, []) }));
    },

    /** Raises a conversation's priority (never lowers it: a concurrent decision that scored higher stands). */
    async liftPriority(conversationId: string, priority: number, band: string, parts: readonly PriorityPart[], now: number): Promise<boolean> {
      const r = await db.updateTable('conversations').set({ priority, priority_band: band, priority_parts: JSON.stringify(parts), updated_at: now }).where('id', '=', conversationId).where('priority', '<', priority).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Earliest human or echoed reply at or after `since` (rule auto-replies do not meet an SLA). */
    /**
     * firstResponseSince for many clocks in one statement per chunk: keyed `${conversationId}\u0000${since}`, a key
     * present (null when nothing answered yet) for every pair asked about.
     */
    async firstResponsesSince(pairs: readonly { conversationId: string; since: number }[]): Promise<Map<string, number | null>> {
      const out = new Map<string, number | null>(pairs.map((p) => [`${p.conversationId}\u0000${p.since}`, null]));
      for (const part of chunk(pairs, 200)) {
        const rows = await firstResponsesQuery(part).execute(db);
        for (const r of rows.rows) if (r.at !== null) out.set(`${r.conversation_id}\u0000${Number(r.since)}`, Number(r.at));
      }
      return out;
    },

    async firstResponseSince(conversationId: string, since: number): Promise<number | null> {
      const r = await db
        .selectFrom('messages')
        .select((eb) => eb.fn.min('created_at').as('at'))
        .where('conversation_id', '=', conversationId)
        .where('direction', '=', 'out')
        .where('created_at', '>=', since)
        .where((eb) => eb.or([eb('sent_by_user_id', 'is', null), eb('sent_by_user_id', 'not like', 'rule:%')]))
        .executeTakeFirst();
      return r?.at === null || r?.at === undefined ? null : Number(r.at);
    },

    /**
     * Per-conversation service facts for the equity report: created in [from, to), newest first, bounded.
     * Visibility and the customer's tier and followers are what the report compares across.
     */
    async serviceSamples(from: number, to: number, limit: number): Promise<{ visibility: string; platform: string; tier: string | null; followers: number | null; createdAt: number; firstResponseAt: number | null; resolvedAt: number | null }[]> {
      const rows = await db
        .selectFrom('conversations as c')
        .innerJoin('channels as ch', 'ch.id', 'c.channel_id')
        .leftJoin('customers as cu', 'cu.id', 'c.customer_id')
        .select(['c.visibility', 'ch.platform', 'cu.tier', 'cu.followers', 'c.created_at', 'c.first_response_at', 'c.resolved_at'])
        .where('c.created_at', '>=', from)
        .where('c.created_at', '<', to)
        .where('c.queue', '!=', 'spam')
        .orderBy('c.created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        visibility: r.visibility,
        platform: r.platform,
        tier: r.tier,
        followers: r.followers === null ? null : Number(r.followers),
        createdAt: Number(r.created_at),
        firstResponseAt: toMs(r.first_response_at),
        resolvedAt: toMs(r.resolved_at),
      }));
    },

    /** Clocks started in [from, to) for attainment, with their outcome fields only. */
    async outcomes(from: number, to: number): Promise<{ policyId: string; metric: SlaMetric; dueAt: number | null; metAt: number | null }[]> {
      const rows = await db.selectFrom('sla_clocks').select(['policy_id', 'metric', 'due_at', 'met_at']).where('started_at', '>=', from).where('started_at', '<', to)
        // A clock closed without a response was cancelled (resolved, spam): it counts neither way.
        .where((eb) => eb.or([eb('closed_at', 'is', null), eb('met_at', 'is not', null)]))
        .execute();
      return rows.map((r) => ({ policyId: r.policy_id, metric: r.metric as SlaMetric, dueAt: toMs(r.due_at), metAt: toMs(r.met_at) }));
    },
  };
};

export type SlaRepository = ReturnType<typeof createSlaRepository>;
