import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { chunk } from './executor.js';

interface AttachmentsTable {
  id: string;
  uploaded_by: string;
  filename: string;
  content_type: string;
  size: number | string;
  sha256: string;
  bytes: Buffer | Uint8Array;
  outbox_id: string | null;
  created_at: number | string;
}

type AttachmentsDB = DB & { attachments: AttachmentsTable };

/** A stored file without its bytes. */
export interface AttachmentMeta {
  id: string;
  uploadedBy: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The outbox row of the reply that took the file, once one did. */
  outboxId: string | null;
  createdAt: number;
}

export interface Attachment extends AttachmentMeta {
  bytes: Buffer;
}

const metaColumns = ['id', 'uploaded_by', 'filename', 'content_type', 'size', 'sha256', 'outbox_id', 'created_at'] as const;

const toMeta = (r: Omit<AttachmentsTable, 'bytes'>): AttachmentMeta => ({
  id: r.id,
  uploadedBy: r.uploaded_by,
  filename: r.filename,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.sha256,
  outboxId: r.outbox_id,
  createdAt: Number(r.created_at),
});

/** Reply attachments: the file's facts and bytes, which reply took it, and the purge of files no reply took. */
export const createAttachmentsRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<AttachmentsDB>;
  return {
    async create(a: Omit<Attachment, 'outboxId'>): Promise<void> {
      await db
        .insertInto('attachments')
        .values({ id: a.id, uploaded_by: a.uploadedBy, filename: a.filename, content_type: a.contentType, size: a.size, sha256: a.sha256, bytes: a.bytes, outbox_id: null, created_at: a.createdAt })
        .execute();
    },

    async get(id: string): Promise<Attachment | null> {
      const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { ...toMeta(row), bytes: Buffer.from(row.bytes) } : null;
    },

    /** The files' facts, in the order asked; unknown ids are left out. */
    async metaOf(ids: readonly string[]): Promise<AttachmentMeta[]> {
      const found = new Map<string, AttachmentMeta>();
      for (const part of chunk([...new Set(ids)])) {
        const rows = await db.selectFrom('attachments').select(metaColumns).where('id', 'in', part).execute();
        for (const r of rows) found.set(r.id, toMeta(r));
      }
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    /** The files with their bytes, in the order asked (the delivery worker loads them at send time). */
    async getMany(ids: readonly string[]): Promise<Attachment[]> {
      const found = new Map<string, Attachment>();
      for (const part of chunk([...new Set(ids)])) {
        const rows = await db.selectFrom('attachments').selectAll().where('id', 'in', part).execute();
        for (const r of rows) found.set(r.id, { ...toMeta(r), bytes: Buffer.from(r.bytes) });
      }
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    /** Records that a reply took the files; only files no reply took yet change. Returns how many did. */
    async markUsed(ids: readonly string[], outboxId: string): Promise<number> {
      let changed = 0;
      for (const part of chunk([...new Set(ids)])) {
        const result = await db.updateTable('attachments').set({ outbox_id: outboxId }).where('id', 'in', part).where('outbox_id', 'is', null).executeTakeFirst();
        changed += Number(result.numUpdatedRows);
      }
      return changed;
    },

    /** Deletes files no reply took that were uploaded before `before`; returns how many. */
    async purgeUnused(before: number, limit = 500): Promise<number> {
      const ids = (await db.selectFrom('attachments').select('id').where('outbox_id', 'is', null).where('created_at', '<', before).orderBy('created_at').limit(limit).execute()).map((r) => r.id);
      if (ids.length === 0) return 0;
      const result = await db.deleteFrom('attachments').where('id', 'in', ids).where('outbox_id', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
};

export type AttachmentsRepository = ReturnType<typeof createAttachmentsRepository>;
