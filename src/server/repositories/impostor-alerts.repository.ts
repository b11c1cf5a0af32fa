import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { fromJson } from './executor.js';

/** Tables of migration 0005-trust: impostor alerts, and the other trust signal raised on a thread (customer PII in public). */
export interface ImpostorAlertsTable {
  id: string;
  message_id: string;
  channel_id: string;
  conversation_id: string | null;
  victim_message_id: string | null;
  author_platform_id: string;
  author_handle: string | null;
  author_display_name: string | null;
  score: number;
  evidence: string;
  status: string;
  warning_message_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationFlagsTable {
  id: string;
  conversation_id: string;
  message_id: string;
  kind: string;
  detail: string;
  created_at: number;
}

type AlertsDB = DB & { impostor_alerts: ImpostorAlertsTable; conversation_flags: ConversationFlagsTable };

export type ImpostorAlertStatus = 'open' | 'warned' | 'dismissed';

export interface ImpostorAlert {
  id: string;
  messageId: string;
  channelId: string;
  conversationId: string | null;
  victimMessageId: string | null;
  author: { platformId: string; handle: string | null; displayName: string | null };
  score: number;
  evidence: string[];
  status: ImpostorAlertStatus;
  warningMessageId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConversationFlag {
  id: string;
  conversationId: string;
  messageId: string;
  kind: string;
  detail: Record<string, unknown>;
  createdAt: number;
}

/** An inbound public message as the trust scan reads it. */
export interface ScannedMessage {
  id: string;
  channelId: string;
  conversationId: string | null;
  customerId: string | null;
  decidedAt: number;
  author: { platformId: string; handle: string | null; displayName: string | null; followers: number; verified: boolean };
  pii: { type: string; start: number; end: number }[];
  /** The customer message this one answers, when it is someone else's inbound message. */
  parent: { id: string; authorPlatformId: string } | null;
}

const toAlert = (r: ImpostorAlertsTable): ImpostorAlert => ({
  id: r.id,
  messageId: r.message_id,
  channelId: r.channel_id,
  conversationId: r.conversation_id,
  victimMessageId: r.victim_message_id,
  author: { platformId: r.author_platform_id, handle: r.author_handle, displayName: r.author_display_name },
  score: Number(r.score),
  evidence: fromJson<string[]>(r.evidence, []),
  status: r.status as ImpostorAlertStatus,
  warningMessageId: r.warning_message_id,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/**
 * The scan's page: the ids and decided times of the next `limit` messages decided after `after`, in (decided_at, id)
 * order, read on the index messages_decided alone (a decide batch stamps all its messages with one time).
 */
export const decidedPageQuery = (db: Executor, after: { decidedAt: number; id: string }, limit: number) =>
  db
    .selectFrom('messages')
    .select(['id', 'decided_at'])
    // Said outright: the index holds decided messages only (0024), and the planners do not infer it from the tuple.
    .where('decided_at', 'is not', null)
    .where((eb) => eb(eb.refTuple('decided_at', 'id'), '>', eb.tuple(after.decidedAt, after.id)))
    .orderBy('decided_at')
    .orderBy('id')
    .limit(limit);

export const createImpostorAlertsRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<AlertsDB>;
  return {
    /** One alert per offending message; a rescan does not raise it twice. */
    async raise(a: Omit<ImpostorAlert, 'status' | 'warningMessageId' | 'updatedAt'>): Promise<boolean> {
      const r = await db
        .insertInto('impostor_alerts')
        .values({ id: a.id, message_id: a.messageId, channel_id: a.channelId, conversation_id: a.conversationId, victim_message_id: a.victimMessageId, author_platform_id: a.author.platformId, author_handle: a.author.handle, author_display_name: a.author.displayName, score: a.score, evidence: JSON.stringify(a.evidence), status: 'open', warning_message_id: null, created_at: a.createdAt, updated_at: a.createdAt })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async get(id: string): Promise<ImpostorAlert | null> {
      const r = await db.selectFrom('impostor_alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toAlert(r) : null;
    },

    /** Newest first, keyset on (created_at, id). */
    async list(filter: { status?: ImpostorAlertStatus }, cursor: { createdAt: number; id: string } | null, limit: number): Promise<ImpostorAlert[]> {
      let q = db.selectFrom('impostor_alerts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (cursor) q = q.where((eb) => eb.or([eb('created_at', '<', cursor.createdAt), eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)])]));
      return (await q.execute()).map(toAlert);
    },

    async markWarned(id: string, warningMessageId: string, now: number): Promise<boolean> {
      const r = await db.updateTable('impostor_alerts').set({ status: 'warned', warning_message_id: warningMessageId, updated_at: now }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * The next `limit` messages decided after `after`, in (decided_at, id) order: the inbound public ones among them (so
     * they have a conversation and classifications), each with the author of the message it answers when that is stored
     * in the same channel, and where the page ended (`next`, null when nothing was decided after `after`). The page is
     * read on the index alone first: filtered in the same query, PostgreSQL without statistics on a young table chose to
     * scan and sort the whole table for every page (43 ms a page at 10,000 messages).
     */
    async decidedPublicInbound(after: { decidedAt: number; id: string }, limit: number): Promise<{ messages: ScannedMessage[]; scanned: number; next: { decidedAt: number; id: string } | null }> {
      const page = await decidedPageQuery(executor, after, limit).execute();
      const last = page.at(-1);
      if (!last) return { messages: [], scanned: 0, next: null };
      const rows = await db
        .selectFrom('messages as m')
        .leftJoin('messages as p', (j) => j.onRef('p.channel_id', '=', 'm.channel_id').onRef('p.external_id', '=', 'm.in_reply_to'))
        .select(['m.id', 'm.channel_id', 'm.conversation_id', 'm.customer_id', 'm.decided_at', 'm.author_platform_id', 'm.author_handle', 'm.author_display_name', 'm.author_followers', 'm.author_verified', 'm.classifications', 'p.id as parent_id', 'p.direction as parent_direction', 'p.author_platform_id as parent_author'])
        .where('m.id', 'in', page.map((r) => r.id))
        .where('m.direction', '=', 'in')
        .where('m.visibility', '=', 'public')
        .execute();
      const order = new Map(page.map((r, i) => [r.id, i]));
      rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      const messages = rows.map((r) => ({
        id: r.id,
        channelId: r.channel_id,
        conversationId: r.conversation_id,
        customerId: r.customer_id,
        decidedAt: Number(r.decided_at),
        author: { platformId: r.author_platform_id, handle: r.author_handle, displayName: r.author_display_name, followers: Number(r.author_followers), verified: Number(r.author_verified) === 1 },
        pii: fromJson<{ pii?: { type: string; start: number; end: number }[] }>(r.classifications, {}).pii ?? [],
        parent: r.parent_id && r.parent_direction === 'in' && r.parent_author !== null ? { id: r.parent_id, authorPlatformId: r.parent_author } : null,
      }));
      return { messages, scanned: page.length, next: { decidedAt: Number(last.decided_at), id: last.id } };
    },

    async flag(f: Omit<ConversationFlag, 'detail'> & { detail: Record<string, unknown> }): Promise<boolean> {
      const r = await db.insertInto('conversation_flags').values({ id: f.id, conversation_id: f.conversationId, message_id: f.messageId, kind: f.kind, detail: JSON.stringify(f.detail), created_at: f.createdAt }).onConflict((oc) => oc.column('message_id').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** Replaces the stored copies of a message (text, HTML, raw payload, the list-row preview) with a redacted text. */
    async redactMessage(id: string, redacted: string): Promise<void> {
      await db.updateTable('messages').set({ text: redacted, html: null, raw: null }).where('id', '=', id).execute();
      await db.updateTable('conversations').set({ last_message_preview: redacted.slice(0, 160) }).where('last_message_id', '=', id).execute();
    },

    async flagsOf(conversationId: string): Promise<ConversationFlag[]> {
      const rows = await db.selectFrom('conversation_flags').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, conversationId: r.conversation_id, messageId: r.message_id, kind: r.kind, detail: fromJson<Record<string, unknown>>(r.detail, {}), createdAt: Number(r.created_at) }));
    },
  };
};

export type ImpostorAlertsRepository = ReturnType<typeof createImpostorAlertsRepository>;
