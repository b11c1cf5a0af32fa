import { SqliteAdapter, type Kysely } from 'kysely';

interface Counts {
  refAt: number | null;
  total: number;
  keys: [string, number][];
}

interface SavedState {
  window?: { id: string; at: number; channelId: string; platform: string; terms: string[]; isAssigned: boolean }[];
  baselineTerms?: Counts;
  baselinePairs?: Counts;
}

interface Tables {
  incident_detector: { id: number; revision: number; state: string; updated_at: number };
  incident_window: { seq: number; message_id: string; at: number; channel_id: string; platform: string; terms: string; assigned: number; evicted: number };
}

const emptyCounts = (): Counts => ({ refAt: null, total: 0, keys: [] });

/*
 * The incident detector's state was one JSON row, rewritten whole at every checkpoint (every few seconds while
 * complaints arrive), inside a correlate transaction, on the embedded store's single writer. Its sliding window (the
 * complaints of the last ten minutes, up to 200,000) made it grow with traffic: at 1,000 messages a second, 1.2 MB
 * after ten seconds and tens of megabytes after a few minutes. It is now three parts:
 * - incident_window: one row per complaint in the window, written as complaints enter and leave it. `seq` keeps the
 *   window's order, which eviction follows (arrival order, not message time). A complaint that left it stays
 *   (`evicted`) until the baselines it fed are saved, so a restart feeds it to them again. `terms` are
 *   space-separated (a term never holds a space).
 * - incident_detector row 2: the baselines (decayed counts of terms and pairs, up to 200,000 keys each), saved every
 *   minute.
 * - incident_detector row 1: the rest (incidents), saved when they change or every few seconds.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  // SQLite: `integer primary key` is the table's own row key (no index beside it).
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.createTable('incident_window')
    .addColumn('seq', sqlite ? 'integer' : 'bigint', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('terms', 'text', (c) => c.notNull())
    .addColumn('assigned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('evicted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // A saved detector is split into its parts.
  const t = db as unknown as Kysely<Tables>;
  const saved = await t.selectFrom('incident_detector').select(['revision', 'state', 'updated_at']).where('id', '=', 1).executeTakeFirst();
  if (!saved) return;
  const state = JSON.parse(saved.state) as SavedState;
  const window = state.window ?? [];
  for (let i = 0; i < window.length; i += 500) {
    await t.insertInto('incident_window')
      .values(window.slice(i, i + 500).map((e, j) => ({ seq: i + j, message_id: e.id, at: e.at, channel_id: e.channelId, platform: e.platform, terms: e.terms.join(' '), assigned: e.isAssigned ? 1 : 0, evicted: 0 })))
      .execute();
  }
  const baselines = { baselineTerms: state.baselineTerms ?? emptyCounts(), baselinePairs: state.baselinePairs ?? emptyCounts() };
  await t.insertInto('incident_detector').values({ id: 2, revision: saved.revision, state: JSON.stringify(baselines), updated_at: saved.updated_at }).execute();
  await t.updateTable('incident_detector').set({ state: JSON.stringify({ ...state, window: [], baselineTerms: emptyCounts(), baselinePairs: emptyCounts() }) }).where('id', '=', 1).execute();
};

/** Back to one row (0002): the window's rows and the baselines go into it; complaints that left the window go. */
export const down = async (db: Kysely<unknown>): Promise<void> => {
  const t = db as unknown as Kysely<Tables>;
  const saved = await t.selectFrom('incident_detector').select(['state']).where('id', '=', 1).executeTakeFirst();
  if (saved) {
    const rows = await t.selectFrom('incident_window').selectAll().where('evicted', '=', 0).orderBy('seq').execute();
    const window = rows.map((r) => ({ id: r.message_id, at: Number(r.at), channelId: r.channel_id, platform: r.platform, terms: r.terms === '' ? [] : r.terms.split(' '), isAssigned: Number(r.assigned) === 1 }));
    const baselines = await t.selectFrom('incident_detector').select(['state']).where('id', '=', 2).executeTakeFirst();
    const state = { ...(JSON.parse(saved.state) as SavedState), ...(baselines ? (JSON.parse(baselines.state) as SavedState) : {}), window };
    await t.updateTable('incident_detector').set({ state: JSON.stringify(state) }).where('id', '=', 1).execute();
  }
  await t.deleteFrom('incident_detector').where('id', '=', 2).execute();
  await db.schema.dropTable('incident_window').execute();
};
