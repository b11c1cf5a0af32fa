import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { chunk } from './executor.js';

interface CustomerNotesTable {
  id: string;
  customer_id: string;
  author_id: string;
  body: string;
  created_at: number;
}

type RecordsDB = DB & { customer_notes: CustomerNotesTable };

export interface CustomerNote {
  id: string;
  customerId: string;
  authorId: string;
  body: string;
  createdAt: number;
}

/** How a CRM row names its customer. */
export type CustomerKey =
  | { kind: 'customer_id'; value: string }
  | { kind: 'email'; value: string }
  | { kind: 'phone'; value: string }
  | { kind: 'handle'; platform: string; value: string }
  | { kind: 'platform_id'; platform: string; value: string };

const keyString = (k: CustomerKey): string => `${k.kind}:${'platform' in k ? `${k.platform}:` : ''}${k.value}`;

/** Customer notes and the lookups a CRM import needs (customer by id, email, phone or platform identity). */
export const createCustomerRecordsRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<RecordsDB>;
  return {
    async addNote(note: CustomerNote): Promise<void> {
      await db.insertInto('customer_notes').values({ id: note.id, customer_id: note.customerId, author_id: note.authorId, body: note.body, created_at: note.createdAt }).execute();
    },

    async notesOf(customerId: string, limit = 200): Promise<CustomerNote[]> {
      const rows = await db.selectFrom('customer_notes').selectAll().where('customer_id', '=', customerId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, customerId: r.customer_id, authorId: r.author_id, body: r.body, createdAt: Number(r.created_at) }));
    },

    async deleteNotesOf(customerId: string): Promise<void> {
      await db.deleteFrom('customer_notes').where('customer_id', '=', customerId).execute();
    },

    /** Resolves keys to live customers (following merges); keys that match nothing, or several customers, are left out. */
    async resolve(keys: readonly CustomerKey[]): Promise<Map<string, string>> {
      const found = new Map<string, Set<string>>();
      const add = (key: string, customerId: string) => found.set(key, (found.get(key) ?? new Set()).add(customerId));
      const byKind = <K extends CustomerKey['kind']>(kind: K) => keys.filter((k): k is Extract<CustomerKey, { kind: K }> => k.kind === kind);

      for (const part of chunk(byKind('customer_id').map((k) => k.value))) {
        const rows = await db.selectFrom('customers').select(['id', 'merged_into']).where('id', 'in', part).execute();
        for (const r of rows) add(`customer_id:${r.id}`, r.merged_into ?? r.id);
      }
      for (const part of chunk([...new Set(byKind('email').map((k) => k.value))])) {
        const rows = await db.selectFrom('identities').select(['customer_id', 'email', 'platform', 'platform_id'])
          .where((eb) => eb.or([eb(sql<string>`lower(email)`, 'in', part), eb.and([eb('platform', '=', 'email'), eb('platform_id', 'in', part)])]))
          .execute();
        for (const r of rows) {
          const email = r.email && part.includes(r.email.toLowerCase()) ? r.email.toLowerCase() : r.platform_id.toLowerCase();
          add(`email:${email}`, r.customer_id);
        }
      }
      for (const part of chunk([...new Set(byKind('phone').map((k) => k.value))])) {
        const bare = part.map((p) => p.replace(/^\+/, ''));
        const rows = await db.selectFrom('identities').select(['customer_id', 'phone', 'platform_id'])
          .where((eb) => eb.or([eb('phone', 'in', part), eb.and([eb('platform', 'in', ['phone', 'whatsapp', 'sms']), eb('platform_id', 'in', [...part, ...bare])])]))
          .execute();
        for (const r of rows) {
          const phone = r.phone && part.includes(r.phone) ? r.phone : `+${r.platform_id.replace(/^\+/, '')}`;
          add(`phone:${phone}`, r.customer_id);
        }
      }
      for (const kind of ['handle', 'platform_id'] as const) {
        const list = byKind(kind);
        for (const platform of new Set(list.map((k) => k.platform))) {
          const values = [...new Set(list.filter((k) => k.platform === platform).map((k) => k.value))];
          for (const part of chunk(values)) {
            const column = kind === 'handle' ? 'handle' : 'platform_id';
            const rows = await db.selectFrom('identities').select(['customer_id', 'handle', 'platform_id']).where('platform', '=', platform).where(column, 'in', part).execute();
            for (const r of rows) add(`${kind}:${platform}:${kind === 'handle' ? r.handle : r.platform_id}`, r.customer_id);
          }
        }
      }
      // Identities point at the customer they were created for; merged customers forward to the survivor.
      const ids = [...new Set([...found.values()].flatMap((s) => [...s]))];
      const forward = new Map<string, string>();
      for (const part of chunk(ids)) {
        const rows = await db.selectFrom('customers').select(['id', 'merged_into']).where('id', 'in', part).execute();
        for (const r of rows) forward.set(r.id, r.merged_into ?? r.id);
      }
      const out = new Map<string, string>();
      for (const key of keys) {
        const ks = keyString(key);
        const customers = new Set([...(found.get(ks) ?? [])].map((id) => forward.get(id) ?? id));
        if (customers.size === 1) out.set(ks, [...customers][0]!);
        else if (customers.size > 1) out.set(ks, '');
      }
      return out;
    },

    async fieldsOf(customerIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
      const out = new Map<string, Record<string, unknown>>();
      for (const part of chunk(customerIds)) {
        const rows = await db.selectFrom('customers').select(['id', 'fields']).where('id', 'in', part).execute();
        for (const r of rows) {
          let fields: Record<string, unknown> = {};
          try {
            fields = JSON.parse(r.fields) as Record<string, unknown>;
          } catch {
            fields = {};
          }
          out.set(r.id, fields);
        }
      }
      return out;
    },
  };
};

export const customerKeyString = keyString;

export type CustomerRecordsRepository = ReturnType<typeof createCustomerRecordsRepository>;
