import type { Executor } from './executor.js';

/** Workspace settings and small durable state (cursors, detector state) as JSON by key. */
export const createSettingsRepository = (db: Executor) => ({
  async get<T>(key: string): Promise<T | null> {
    const r = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return r ? (JSON.parse(r.value) as T) : null;
  },

  async set(key: string, value: unknown, now: number): Promise<void> {
    const text = JSON.stringify(value);
    await db
      .insertInto('settings')
      .values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
      .execute();
  },
});

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
