import type { Macro } from '../decide/macros.js';
import { decideDb } from './decide-tables.js';
import { fromJson, type Executor } from './executor.js';

export interface MacroRecord extends Macro {
  createdAt: number;
  updatedAt: number;
}

/** Canned responses with per-channel variants. */
export const createMacrosRepository = (executor: Executor) => {
  const db = decideDb(executor);
  const map = (r: { id: string; name: string; body: string; variants: string; created_at: number; updated_at: number }): MacroRecord => ({
    id: r.id,
    name: r.name,
    body: r.body,
    variants: fromJson(r.variants, {}),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });
  return {
    async list(): Promise<MacroRecord[]> {
      return (await db.selectFrom('macros').selectAll().orderBy('name').orderBy('id').execute()).map(map);
    },

    async get(id: string): Promise<MacroRecord | null> {
      const r = await db.selectFrom('macros').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? map(r) : null;
    },

    async save(m: MacroRecord): Promise<void> {
      const values = { name: m.name, body: m.body, variants: JSON.stringify(m.variants), updated_at: m.updatedAt };
      await db.insertInto('macros').values({ id: m.id, ...values, created_at: m.createdAt }).onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    },

    async delete(id: string): Promise<boolean> {
      const r = await db.deleteFrom('macros').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
};

export type MacrosRepository = ReturnType<typeof createMacrosRepository>;
