import type { Kysely } from 'kysely';
import type { Executor } from './executor.js';

interface CorrectionsTable {
  id: string;
  message_id: string;
  field: string;
  previous: string | null;
  value: string;
  text: string;
  model_version: string | null;
  user_id: string;
  created_at: number;
}

export interface LabelCorrection {
  id: string;
  messageId: string;
  field: string;
  previous: string | null;
  value: string;
  text: string;
  modelVersion: string | null;
  userId: string;
  createdAt: number;
}

export const createCorrectionsRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<{ label_corrections: CorrectionsTable }>;
  return {
    async add(c: LabelCorrection): Promise<void> {
      await db
        .insertInto('label_corrections')
        .values({ id: c.id, message_id: c.messageId, field: c.field, previous: c.previous, value: c.value, text: c.text, model_version: c.modelVersion, user_id: c.userId, created_at: c.createdAt })
        .execute();
    },

    /** The latest correction per message for a field: what the next training run learns from. */
    async latest(field: string, limit = 100_000): Promise<LabelCorrection[]> {
      const rows = await db.selectFrom('label_corrections').selectAll().where('field', '=', field).orderBy('created_at', 'desc').limit(limit).execute();
      const seen = new Set<string>();
      const out: LabelCorrection[] = [];
      for (const r of rows) {
        if (seen.has(r.message_id)) continue;
        seen.add(r.message_id);
        out.push({ id: r.id, messageId: r.message_id, field: r.field, previous: r.previous, value: r.value, text: r.text, modelVersion: r.model_version, userId: r.user_id, createdAt: Number(r.created_at) });
      }
      return out;
    },

    async forMessage(messageId: string): Promise<LabelCorrection[]> {
      const rows = await db.selectFrom('label_corrections').selectAll().where('message_id', '=', messageId).orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, messageId: r.message_id, field: r.field, previous: r.previous, value: r.value, text: r.text, modelVersion: r.model_version, userId: r.user_id, createdAt: Number(r.created_at) }));
    },
  };
};

export type CorrectionsRepository = ReturnType<typeof createCorrectionsRepository>;
