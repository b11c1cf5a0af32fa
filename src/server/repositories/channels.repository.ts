import type { Selectable } from 'kysely';
import type { ChannelsTable } from '../db/schema.js';
import type { Executor } from './executor.js';
import { compiledOnce, fromJson } from './executor.js';

export interface Channel {
  id: string;
  brandId: string | null;
  platform: string;
  name: string;
  status: string;
  config: Record<string, unknown>;
  /** Sealed (AES-256-GCM) credentials; only the channel service opens them. */
  sealedCredentials: string | null;
  ownAccountIds: string[];
  cursor: string | null;
  lastEventAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  createdAt: number;
}

const toChannel = (r: Selectable<ChannelsTable>): Channel => ({
  id: r.id,
  brandId: r.brand_id,
  platform: r.platform,
  name: r.name,
  status: r.status,
  config: fromJson(r.config, {}),
  sealedCredentials: r.credentials,
  ownAccountIds: fromJson(r.own_account_ids, []),
  cursor: r.cursor,
  lastEventAt: r.last_event_at === null ? null : Number(r.last_event_at),
  lastError: r.last_error,
  lastErrorAt: r.last_error_at === null ? null : Number(r.last_error_at),
  createdAt: Number(r.created_at),
});

// Read and stamped in every ingest transaction: compiled once per dialect (and per count of ids).
const channelsByIds = compiledOnce((db: Executor, ...ids: string[]) => db.selectFrom('channels').selectAll().where('id', 'in', ids));
const stampEvent = compiledOnce((db: Executor, at: number, id: string) => db.updateTable('channels').set({ last_event_at: at }).where('id', '=', id));

export const createChannelsRepository = (db: Executor) => ({
  async create(c: { id: string; brandId: string | null; platform: string; name: string; config: Record<string, unknown>; sealedCredentials: string | null; ownAccountIds: string[]; now: number }): Promise<void> {
    await db
      .insertInto('channels')
      .values({ id: c.id, brand_id: c.brandId, platform: c.platform, name: c.name, status: 'active', config: JSON.stringify(c.config), credentials: c.sealedCredentials, own_account_ids: JSON.stringify(c.ownAccountIds), created_at: c.now, updated_at: c.now })
      .execute();
  },

  async get(id: string): Promise<Channel | null> {
    const r = await db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toChannel(r) : null;
  },

  async getMany(ids: readonly string[]): Promise<Channel[]> {
    if (ids.length === 0) return [];
    return (await channelsByIds(db, ...ids)).map(toChannel);
  },

  async list(): Promise<Channel[]> {
    return (await db.selectFrom('channels').selectAll().where('status', '!=', 'removed').orderBy('name').execute()).map(toChannel);
  },

  async setStatus(id: string, status: string, now: number): Promise<boolean> {
    const r = await db.updateTable('channels').set({ status, updated_at: now }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async setCredentials(id: string, sealedCredentials: string | null, now: number): Promise<void> {
    await db.updateTable('channels').set({ credentials: sealedCredentials, updated_at: now }).where('id', '=', id).execute();
  },

  async setCursor(id: string, cursor: string | null, now: number): Promise<void> {
    await db.updateTable('channels').set({ cursor, updated_at: now }).where('id', '=', id).execute();
  },

  /** A delivery to a paused channel, kept until it resumes (envelopes and deletions as the adapter mapped them). */
  async hold(h: { id: string; channelId: string; envelopes: unknown[]; deletions: unknown[]; now: number }): Promise<void> {
    await db.insertInto('channel_held_events').values({ id: h.id, channel_id: h.channelId, envelopes: JSON.stringify(h.envelopes), deletions: JSON.stringify(h.deletions), received_at: h.now }).execute();
  },

  /** Oldest held deliveries first. */
  async listHeld(channelId: string, limit: number): Promise<{ id: string; envelopes: unknown[]; deletions: unknown[]; receivedAt: number }[]> {
    const rows = await db.selectFrom('channel_held_events').selectAll().where('channel_id', '=', channelId).orderBy('received_at').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, envelopes: fromJson(r.envelopes, []), deletions: fromJson(r.deletions, []), receivedAt: Number(r.received_at) }));
  },

  async dropHeld(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await db.deleteFrom('channel_held_events').where('id', 'in', ids).execute();
  },

  /** Channels with held deliveries, and how many each holds. */
  async heldCounts(): Promise<Map<string, number>> {
    const rows = await db.selectFrom('channel_held_events').select(['channel_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('channel_id').execute();
    return new Map(rows.map((r) => [r.channel_id, Number(r.n)]));
  },

  async recordEvent(id: string, at: number): Promise<void> {
    await stampEvent(db, at, id);
  },

  async recordError(id: string, error: string | null, at: number): Promise<void> {
    await db.updateTable('channels').set({ last_error: error, last_error_at: error ? at : null }).where('id', '=', id).execute();
  },
});

export type ChannelsRepository = ReturnType<typeof createChannelsRepository>;
