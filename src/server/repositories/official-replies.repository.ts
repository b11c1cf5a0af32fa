import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { fromJson } from './executor.js';

/** Table of migration 0005-trust: the proof code of each public reply the company sent. */
export interface OfficialRepliesTable {
  code: string;
  message_id: string;
  conversation_id: string | null;
  channel_id: string;
  created_at: number;
}

export interface OfficialReply {
  code: string;
  messageId: string;
  conversationId: string | null;
  channelId: string;
  createdAt: number;
}

type OfficialDB = DB & { official_replies: OfficialRepliesTable };

const toReply = (r: OfficialRepliesTable): OfficialReply => ({ code: r.code, messageId: r.message_id, conversationId: r.conversation_id, channelId: r.channel_id, createdAt: Number(r.created_at) });

export const createOfficialRepliesRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<OfficialDB>;
  return {
    /** Idempotent per message: a second call for the same message keeps the first code. */
    async record(r: OfficialReply): Promise<boolean> {
      const res = await db.insertInto('official_replies').values({ code: r.code, message_id: r.messageId, conversation_id: r.conversationId, channel_id: r.channelId, created_at: r.createdAt }).onConflict((oc) => oc.column('message_id').doNothing()).executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async byCode(code: string): Promise<OfficialReply | null> {
      const r = await db.selectFrom('official_replies').selectAll().where('code', '=', code).executeTakeFirst();
      return r ? toReply(r) : null;
    },

    async byMessage(messageId: string): Promise<OfficialReply | null> {
      const r = await db.selectFrom('official_replies').selectAll().where('message_id', '=', messageId).executeTakeFirst();
      return r ? toReply(r) : null;
    },

    /** Outbound public messages of these conversations that have no code yet. */
    async uncoded(conversationIds: readonly string[]): Promise<{ id: string; conversationId: string | null; channelId: string; createdAt: number }[]> {
      if (conversationIds.length === 0) return [];
      const rows = await db
        .selectFrom('messages')
        .leftJoin('official_replies', 'official_replies.message_id', 'messages.id')
        .select(['messages.id', 'messages.conversation_id', 'messages.channel_id', 'messages.created_at'])
        .where('messages.conversation_id', 'in', [...conversationIds])
        .where('messages.direction', '=', 'out')
        .where('messages.visibility', '=', 'public')
        .where('official_replies.code', 'is', null)
        .execute();
      return rows.map((r) => ({ id: r.id, conversationId: r.conversation_id, channelId: r.channel_id, createdAt: Number(r.created_at) }));
    },

    /** Every brand with its official handles (brands.official_handles is a JSON list). */
    async brands(): Promise<{ id: string; name: string; slug: string; handles: string[] }[]> {
      const rows = await db.selectFrom('brands').select(['id', 'name', 'slug', 'official_handles']).orderBy('name').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, handles: fromJson<string[]>(r.official_handles, []) }));
    },

    /** Handles our own accounts posted under in a channel, as seen on echoes of our sends. */
    async ownHandles(channelId: string): Promise<string[]> {
      const rows = await db.selectFrom('messages').select('author_handle').distinct().where('channel_id', '=', channelId).where('direction', '=', 'out').where('author_handle', 'is not', null).limit(20).execute();
      return rows.map((r) => r.author_handle as string);
    },
  };
};

export type OfficialRepliesRepository = ReturnType<typeof createOfficialRepliesRepository>;
