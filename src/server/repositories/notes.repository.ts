import type { Executor } from './executor.js';
import { fromJson } from './executor.js';

export interface Note {
  id: string;
  conversationId: string;
  authorId: string;
  body: string;
  mentions: string[];
  createdAt: number;
}

export const createNotesRepository = (db: Executor) => ({
  async create(n: Note): Promise<void> {
    await db.insertInto('notes').values({ id: n.id, conversation_id: n.conversationId, author_id: n.authorId, body: n.body, mentions: JSON.stringify(n.mentions), created_at: n.createdAt }).execute();
  },

  async listByConversation(conversationId: string): Promise<Note[]> {
    const rows = await db.selectFrom('notes').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, conversationId: r.conversation_id, authorId: r.author_id, body: r.body, mentions: fromJson(r.mentions, []), createdAt: Number(r.created_at) }));
  },
});
