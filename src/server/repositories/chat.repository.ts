import type { Kysely, Selectable } from 'kysely';
import type { ChatEntry } from '../connectors/webchat/mailbox.js';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';

/** Table of migration 0013-chat; times are epoch milliseconds. */
interface ChatMessagesTable {
  id: string;
  channel_id: string;
  visitor_id: string;
  direction: string;
  external_id: string;
  text: string;
  display_name: string | null;
  page_url: string | null;
  created_at: number;
}

const view = (db: Executor) => db as unknown as Kysely<DB & { chat_messages: ChatMessagesTable }>;

const toEntry = (r: Selectable<ChatMessagesTable>): ChatEntry => ({
  id: r.id,
  channelId: r.channel_id,
  visitorId: r.visitor_id,
  direction: r.direction === 'out' ? 'out' : 'in',
  externalId: r.external_id,
  text: r.text,
  displayName: r.display_name,
  pageUrl: r.page_url,
  createdAt: Number(r.created_at),
});

/** Web chat mailboxes: visitors' messages and the replies delivered to them, per channel and visitor. */
export const createChatRepository = (db: Executor) => ({
  /** Inserts unless (channel, externalId) exists; returns the stored entry either way. */
  async append(entry: ChatEntry): Promise<{ entry: ChatEntry; created: boolean }> {
    const inserted = await view(db)
      .insertInto('chat_messages')
      .values({ id: entry.id, channel_id: entry.channelId, visitor_id: entry.visitorId, direction: entry.direction, external_id: entry.externalId, text: entry.text, display_name: entry.displayName, page_url: entry.pageUrl, created_at: entry.createdAt })
      .onConflict((oc) => oc.columns(['channel_id', 'external_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { entry, created: true };
    const existing = await view(db).selectFrom('chat_messages').selectAll().where('channel_id', '=', entry.channelId).where('external_id', '=', entry.externalId).executeTakeFirstOrThrow();
    return { entry: toEntry(existing), created: false };
  },

  async inboundSince(channelId: string, fromMs: number, limit: number): Promise<ChatEntry[]> {
    const rows = await view(db).selectFrom('chat_messages').selectAll().where('channel_id', '=', channelId).where('direction', '=', 'in').where('created_at', '>=', fromMs).orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(toEntry);
  },

  /** Entries of any of `channelIds` created at or after `fromMs`, oldest first (other processes' appends, for wake-ups). */
  async recent(channelIds: readonly string[], fromMs: number, limit: number): Promise<ChatEntry[]> {
    if (channelIds.length === 0) return [];
    const rows = await view(db).selectFrom('chat_messages').selectAll().where('channel_id', 'in', channelIds).where('created_at', '>=', fromMs).orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(toEntry);
  },

  /** A visitor's session, oldest first: the newest `limit` entries, or those after `after` (createdAt, id). */
  async history(channelId: string, visitorId: string, options: { afterMs?: number; limit: number }): Promise<ChatEntry[]> {
    let query = view(db).selectFrom('chat_messages').selectAll().where('channel_id', '=', channelId).where('visitor_id', '=', visitorId);
    if (options.afterMs !== undefined) {
      const rows = await query.where('created_at', '>=', options.afterMs).orderBy('created_at').orderBy('id').limit(options.limit).execute();
      return rows.map(toEntry);
    }
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit);
    return (await query.execute()).map(toEntry).reverse();
  },
});

export type ChatRepository = ReturnType<typeof createChatRepository>;
