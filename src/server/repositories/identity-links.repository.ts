import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { chunk, fromJson } from './executor.js';
import { pushTo } from '../../shared/collections.js';

/** Tables of migration 0002 that this repository owns (the shared DB type predates them). */
export interface MergeSuggestionsTable {
  id: string;
  customer_id: string;
  other_customer_id: string;
  score: number;
  reasons: string;
  status: string;
  merge_id: string | null;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
}

export interface MergesTable {
  id: string;
  kind: string;
  target_id: string;
  source_id: string;
  moved: string;
  reason: string;
  actor_id: string | null;
  created_at: number;
  undone_at: number | null;
  undone_by: string | null;
}

type LinksDB = DB & { merge_suggestions: MergeSuggestionsTable; merges: MergesTable };

export type MergeKind = 'customer' | 'conversation_merge' | 'conversation_split';

export interface MergeSuggestion {
  id: string;
  customerId: string;
  otherCustomerId: string;
  score: number;
  reasons: string[];
  status: 'pending' | 'accepted' | 'rejected';
  mergeId: string | null;
  createdAt: number;
  decidedAt: number | null;
}

/** What a merge or split moved, so undo can move exactly that back. */
export interface MovedRecords {
  identityIds?: string[];
  conversationIds?: string[];
  messageIds?: string[];
  /** Status of a merged-away conversation before the merge closed it. */
  sourceStatus?: string;
}

export interface MergeRecord {
  id: string;
  kind: MergeKind;
  targetId: string;
  sourceId: string;
  moved: MovedRecords;
  reason: string;
  actorId: string | null;
  createdAt: number;
  undoneAt: number | null;
}

export interface LinkCandidate {
  identityId: string;
  customerId: string;
  platform: string;
  platformId: string;
  handle: string | null;
  displayName: string | null;
  email: string | null;
  phone: string | null;
}

const toSuggestion = (r: MergeSuggestionsTable): MergeSuggestion => ({
  id: r.id, customerId: r.customer_id, otherCustomerId: r.other_customer_id, score: r.score, reasons: fromJson(r.reasons, []),
  status: r.status as MergeSuggestion['status'], mergeId: r.merge_id, createdAt: Number(r.created_at), decidedAt: r.decided_at === null ? null : Number(r.decided_at),
});

const toMerge = (r: MergesTable): MergeRecord => ({
  id: r.id, kind: r.kind as MergeKind, targetId: r.target_id, sourceId: r.source_id, moved: fromJson(r.moved, {}), reason: r.reason,
  actorId: r.actor_id, createdAt: Number(r.created_at), undoneAt: r.undone_at === null ? null : Number(r.undone_at),
});

/** The identity graph's links: contact facts on identities, merge suggestions, and undoable merge records. */
export const createIdentityLinksRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<LinksDB>;
  // Built when a look-up needs it: repositories are made for every transaction, and building this query in each made
  // it most of the cost of creating them all (about 1% of the thread at 1,000 one-message requests a second).
  const candidates = () =>
    db
      .selectFrom('identities')
      .innerJoin('customers', 'customers.id', 'identities.customer_id')
      .select(['identities.id as identityId', 'identities.customer_id as customerId', 'identities.platform', 'identities.platform_id as platformId', 'identities.handle', 'identities.display_name as displayName', 'identities.email', 'identities.phone'])
      .where('customers.merged_into', 'is', null);
  return {
    async setContact(identityId: string, contact: { email?: string; phone?: string }, now: number): Promise<void> {
      await db.updateTable('identities').set({ ...contact, updated_at: now }).where('id', '=', identityId).execute();
    },

    /** Identities of other customers holding this (normalised) e-mail or phone. */
    async findByContact(contact: { email?: string | null; phone?: string | null }, excludeCustomerId: string): Promise<LinkCandidate[]> {
      const { email, phone } = contact;
      if (!email && !phone) return [];
      return candidates()
        .where('identities.customer_id', '!=', excludeCustomerId)
        .where((eb) => eb.or([...(email ? [eb('identities.email', '=', email)] : []), ...(phone ? [eb('identities.phone', '=', phone)] : [])]))
        .orderBy('customers.created_at')
        .limit(20)
        .execute();
    },

    async findByDisplayName(displayName: string, excludeCustomerId: string): Promise<LinkCandidate[]> {
      return candidates().where('identities.display_name', '=', displayName).where('identities.customer_id', '!=', excludeCustomerId).limit(20).execute();
    },

    /**
     * `findByDisplayName` for a batch of names in one query per chunk: at most `perName` identities per name (a common
     * name must not return thousands), grouped by name. The caller leaves out its own customer.
     */
    async findByDisplayNames(names: readonly string[], perName: number): Promise<Map<string, LinkCandidate[]>> {
      const out = new Map<string, LinkCandidate[]>();
      for (const part of chunk([...new Set(names)])) {
        const ranked = candidates()
          .select((eb) => eb.fn.agg<number>('row_number').over((ob) => ob.partitionBy('identities.display_name').orderBy('identities.id')).as('rank'))
          .where('identities.display_name', 'in', part);
        const rows = await db.selectFrom(ranked.as('c')).selectAll().where('c.rank', '<=', perName).execute();
        for (const { rank: _rank, ...row } of rows) {
          if (row.displayName === null) continue;
          pushTo(out, row.displayName, row);
        }
      }
      return out;
    },

    /** One suggestion per unordered pair of customers; returns false when one already exists. */
    async suggest(s: { id: string; customerId: string; otherCustomerId: string; score: number; reasons: string[]; now: number }): Promise<boolean> {
      const [a, b] = s.customerId < s.otherCustomerId ? [s.customerId, s.otherCustomerId] : [s.otherCustomerId, s.customerId];
      const rows = await db
        .insertInto('merge_suggestions')
        .values({ id: s.id, customer_id: a, other_customer_id: b, score: s.score, reasons: JSON.stringify(s.reasons), status: 'pending', merge_id: null, decided_by: null, decided_at: null, created_at: s.now })
        .onConflict((oc) => oc.columns(['customer_id', 'other_customer_id']).doNothing())
        .returning('id')
        .execute();
      return rows.length > 0;
    },

    async suggestionsFor(customerId: string): Promise<MergeSuggestion[]> {
      const rows = await db.selectFrom('merge_suggestions').selectAll().where((eb) => eb.or([eb('customer_id', '=', customerId), eb('other_customer_id', '=', customerId)])).orderBy('created_at', 'desc').limit(100).execute();
      return rows.map(toSuggestion);
    },

    async suggestion(id: string): Promise<MergeSuggestion | null> {
      const r = await db.selectFrom('merge_suggestions').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toSuggestion(r) : null;
    },

    async decideSuggestion(id: string, status: 'accepted' | 'rejected', mergeId: string | null, by: string, now: number): Promise<void> {
      await db.updateTable('merge_suggestions').set({ status, merge_id: mergeId, decided_by: by, decided_at: now }).where('id', '=', id).execute();
    },

    /** Moves everything of customer `sourceId` to `targetId`; returns what moved. */
    async mergeCustomers(sourceId: string, targetId: string, now: number): Promise<MovedRecords> {
      const identityIds = (await db.selectFrom('identities').select('id').where('customer_id', '=', sourceId).execute()).map((r) => r.id);
      const conversationIds = (await db.selectFrom('conversations').select('id').where('customer_id', '=', sourceId).execute()).map((r) => r.id);
      await db.updateTable('identities').set({ customer_id: targetId, updated_at: now }).where('customer_id', '=', sourceId).execute();
      await db.updateTable('conversations').set({ customer_id: targetId }).where('customer_id', '=', sourceId).execute();
      await db.updateTable('messages').set({ customer_id: targetId }).where('customer_id', '=', sourceId).execute();
      await db.updateTable('customers').set({ merged_into: targetId, updated_at: now }).where('id', '=', sourceId).execute();
      await db.updateTable('customers').set({ merged_into: targetId, updated_at: now }).where('merged_into', '=', sourceId).execute();
      return { identityIds, conversationIds };
    },

    /** Moves back exactly what a customer merge moved (later arrivals on those identities follow them). */
    async unmergeCustomers(sourceId: string, targetId: string, moved: MovedRecords, now: number): Promise<void> {
      for (const part of chunk(moved.identityIds ?? [])) {
        await db.updateTable('identities').set({ customer_id: sourceId, updated_at: now }).where('id', 'in', part).execute();
        await db.updateTable('messages').set({ customer_id: sourceId }).where('identity_id', 'in', part).where('customer_id', '=', targetId).execute();
      }
      for (const part of chunk(moved.conversationIds ?? [])) await db.updateTable('conversations').set({ customer_id: sourceId }).where('id', 'in', part).execute();
      await db.updateTable('customers').set({ merged_into: null, updated_at: now }).where('id', '=', sourceId).execute();
    },

    async isMerged(customerId: string): Promise<boolean> {
      const r = await db.selectFrom('customers').select('merged_into').where('id', '=', customerId).executeTakeFirst();
      return Boolean(r?.merged_into);
    },

    async recordMerge(m: { id: string; kind: MergeKind; targetId: string; sourceId: string; moved: MovedRecords; reason: string; actorId: string | null; now: number }): Promise<void> {
      await db.insertInto('merges').values({ id: m.id, kind: m.kind, target_id: m.targetId, source_id: m.sourceId, moved: JSON.stringify(m.moved), reason: m.reason, actor_id: m.actorId, created_at: m.now, undone_at: null, undone_by: null }).execute();
    },

    async merge(id: string): Promise<MergeRecord | null> {
      const r = await db.selectFrom('merges').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toMerge(r) : null;
    },

    /** Returns false when another undo got there first. */
    async markUndone(id: string, by: string, now: number): Promise<boolean> {
      const r = await db.updateTable('merges').set({ undone_at: now, undone_by: by }).where('id', '=', id).where('undone_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async conversationMessageIds(conversationId: string): Promise<string[]> {
      return (await db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).execute()).map((r) => r.id);
    },

    async moveMessages(messageIds: readonly string[], toConversationId: string): Promise<void> {
      for (const part of chunk(messageIds)) await db.updateTable('messages').set({ conversation_id: toConversationId }).where('id', 'in', part).execute();
    },

    /** Recomputes a conversation's precomputed list fields from the messages it now holds. */
    async recountConversation(conversationId: string, now: number): Promise<void> {
      const last = await db.selectFrom('messages').select(['id', 'created_at', 'text', 'direction']).where('conversation_id', '=', conversationId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      const count = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', '=', conversationId).executeTakeFirstOrThrow();
      await db
        .updateTable('conversations')
        .set({
          message_count: Number(count.n),
          last_message_id: last?.id ?? null,
          ...(last ? { last_message_at: Number(last.created_at), last_message_preview: last.text.slice(0, 160), last_message_direction: last.direction } : {}),
          updated_at: now,
        })
        .where('id', '=', conversationId)
        .execute();
    },

    /** A new conversation for split-off messages, copying the original's channel, customer and visibility. */
    async cloneConversation(fromId: string, newId: string, now: number): Promise<void> {
      await sql`insert into conversations (id, channel_id, brand_id, customer_id, thread_key, status, visibility, subject, last_message_at, created_at, updated_at)
        select ${newId}, channel_id, brand_id, customer_id, ${`split:${newId}`}, 'open', visibility, subject, ${now}, ${now}, ${now} from conversations where id = ${fromId}`.execute(db);
    },
  };
};

export type IdentityLinksRepository = ReturnType<typeof createIdentityLinksRepository>;
