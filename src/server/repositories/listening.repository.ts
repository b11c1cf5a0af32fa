import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';

/** Table of migration 0007-channels; times are epoch milliseconds. */
interface ListeningRulesTable {
  id: string;
  brand_id: string | null;
  name: string;
  query: string;
  enabled: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

type ListeningDB = DB & { listening_rules: ListeningRulesTable };

export interface ListeningRule {
  id: string;
  brandId: string | null;
  name: string;
  query: string;
  enabled: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A stored message as a listening query sees it, for testing a rule against recent traffic. */
export interface ListeningSample {
  id: string;
  channelId: string;
  text: string;
  language: string | null;
  authorHandle: string | null;
  createdAt: number;
}

const toRule = (r: ListeningRulesTable): ListeningRule => ({
  id: r.id,
  brandId: r.brand_id,
  name: r.name,
  query: r.query,
  enabled: Number(r.enabled) === 1,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export const createListeningRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<ListeningDB>;
  return {
    async list(): Promise<ListeningRule[]> {
      return (await db.selectFrom('listening_rules').selectAll().orderBy('name').orderBy('id').execute()).map(toRule);
    },

    async get(id: string): Promise<ListeningRule | null> {
      const r = await db.selectFrom('listening_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toRule(r) : null;
    },

    async create(rule: ListeningRule): Promise<void> {
      await db
        .insertInto('listening_rules')
        .values({ id: rule.id, brand_id: rule.brandId, name: rule.name, query: rule.query, enabled: rule.enabled ? 1 : 0, created_by: rule.createdBy, created_at: rule.createdAt, updated_at: rule.updatedAt })
        .execute();
    },

    async update(id: string, patch: { name?: string; query?: string; enabled?: boolean; brandId?: string | null }, now: number): Promise<boolean> {
      const r = await db
        .updateTable('listening_rules')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.query !== undefined ? { query: patch.query } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
          ...(patch.brandId !== undefined ? { brand_id: patch.brandId } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async remove(id: string): Promise<boolean> {
      const r = await db.deleteFrom('listening_rules').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** The newest inbound messages, newest first, for trying a rule before saving it. */
    async recentMessages(limit: number): Promise<ListeningSample[]> {
      const rows = await db
        .selectFrom('messages')
        .select(['id', 'channel_id', 'text', 'language', 'author_handle', 'created_at'])
        .where('direction', '=', 'in')
        .where('deleted_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, channelId: r.channel_id, text: r.text, language: r.language, authorHandle: r.author_handle, createdAt: Number(r.created_at) }));
    },
  };
};

export type ListeningRepository = ReturnType<typeof createListeningRepository>;
