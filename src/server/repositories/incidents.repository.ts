import type { Kysely } from 'kysely';
import type { StoredWindowEntry, WindowChanges } from '../correlate/incidents/sliding-window.js';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { chunk, compiledOnce, compiledRows, fromJson } from './executor.js';

/** Tables of migration 0002 that this repository owns (the shared DB type predates them). */
export interface IncidentsTable {
  id: string;
  status: string;
  terms: string;
  trigger_terms: string;
  window_from: number;
  window_to: number;
  confidence: number;
  member_count: number;
  channel_counts: string;
  platform_counts: string;
  acknowledgement: string | null;
  resolution: string | null;
  merged_into: string | null;
  suspected_at: number;
  confirmed_at: number | null;
  confirmed_by: string | null;
  acknowledged_at: number | null;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IncidentDetectorTable {
  id: number;
  revision: number;
  state: string;
  updated_at: number;
}

/** The detector's sliding window, one row per complaint, in the window's order (migration 0022). */
export interface IncidentWindowTable {
  seq: number;
  message_id: string;
  at: number;
  channel_id: string;
  platform: string;
  /** Space-separated (terms hold no spaces). */
  terms: string;
  assigned: number;
  /** Left the window; kept until the baselines it fed are saved. */
  evicted: number;
}

type IncidentDB = DB & { incidents: IncidentsTable; incident_detector: IncidentDetectorTable; incident_window: IncidentWindowTable };

/** Rows of incident_detector: the detector's state without window and baselines, and the baselines (saved less often). */
const DETECTOR_ROW = 1;
const BASELINES_ROW = 2;

const windowDb = (db: Executor) => db as unknown as Kysely<IncidentDB>;
const insertWindowRows = compiledRows(8, (db: Executor, rows) =>
  windowDb(db).insertInto('incident_window').values(rows.map(([seq, message_id, at, channel_id, platform, terms, assigned, evicted]) => ({ seq, message_id, at, channel_id, platform, terms, assigned, evicted }) as never)),
);
const assignWindowRows = compiledRows(1, (db: Executor, rows) => windowDb(db).updateTable('incident_window').set({ assigned: 1 }).where('seq', 'in', rows.map(([seq]) => seq as number)));
const evictWindowRows = compiledOnce((db: Executor, from: number, to: number) => windowDb(db).updateTable('incident_window').set({ evicted: 1 }).where('seq', '>=', from).where('seq', '<=', to));
const dropFoldedRows = compiledOnce((db: Executor, before: number) => windowDb(db).deleteFrom('incident_window').where('seq', '<', before));

export type IncidentStatus = 'suspected' | 'confirmed' | 'resolved';

export interface Incident {
  id: string;
  status: IncidentStatus;
  terms: string[];
  triggerTerms: string[];
  window: { from: number; to: number };
  confidence: number;
  memberCount: number;
  channels: Record<string, number>;
  platforms: Record<string, number>;
  acknowledgement: string | null;
  resolution: string | null;
  suspectedAt: number;
  confirmedAt: number | null;
  confirmedBy: string | null;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  updatedAt: number;
}

/** What the detector knows of an incident; the store keeps it beside the people-made fields. */
export interface IncidentFacts {
  id: string;
  terms: string[];
  triggerTerms: string[];
  window: { from: number; to: number };
  confidence: number;
  memberCount: number;
  channels: Record<string, number>;
  platforms: Record<string, number>;
  suspectedAt: number;
}

export interface IncidentMember {
  messageId: string;
  conversationId: string | null;
  channelId: string;
  customerId: string | null;
  authorHandle: string | null;
  text: string;
  createdAt: number;
}

const toIncident = (r: IncidentsTable): Incident => ({
  id: r.id,
  status: r.status as IncidentStatus,
  terms: fromJson(r.terms, []),
  triggerTerms: fromJson(r.trigger_terms, []),
  window: { from: Number(r.window_from), to: Number(r.window_to) },
  confidence: r.confidence,
  memberCount: r.member_count,
  channels: fromJson(r.channel_counts, {}),
  platforms: fromJson(r.platform_counts, {}),
  acknowledgement: r.acknowledgement,
  resolution: r.resolution,
  suspectedAt: Number(r.suspected_at),
  confirmedAt: r.confirmed_at === null ? null : Number(r.confirmed_at),
  confirmedBy: r.confirmed_by,
  acknowledgedAt: r.acknowledged_at === null ? null : Number(r.acknowledged_at),
  resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  updatedAt: Number(r.updated_at),
});

export const createIncidentsRepository = (executor: Executor, options: { skipLocked: boolean }) => {
  const db = executor as unknown as Kysely<IncidentDB>;
  return {
    /** Inserts or refreshes the detector's view of an incident; status and texts people wrote stay. */
    async upsert(facts: IncidentFacts, now: number): Promise<void> {
      const detected = {
        terms: JSON.stringify(facts.terms),
        trigger_terms: JSON.stringify(facts.triggerTerms),
        window_from: facts.window.from,
        window_to: facts.window.to,
        confidence: facts.confidence,
        member_count: facts.memberCount,
        channel_counts: JSON.stringify(facts.channels),
        platform_counts: JSON.stringify(facts.platforms),
        updated_at: now,
      };
      await db
        .insertInto('incidents')
        .values({ id: facts.id, status: 'suspected', ...detected, acknowledgement: null, resolution: null, merged_into: null, suspected_at: facts.suspectedAt, confirmed_at: null, confirmed_by: null, acknowledged_at: null, resolved_at: null, created_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet(detected))
        .execute();
    },

    async get(id: string): Promise<Incident | null> {
      const r = await db.selectFrom('incidents').selectAll().where('id', '=', id).where('merged_into', 'is', null).executeTakeFirst();
      return r ? toIncident(r) : null;
    },

    /** Newest first, keyset on (suspected_at, id). */
    async list(filter: { status?: IncidentStatus }, cursor: { suspectedAt: number; id: string } | null, limit: number): Promise<Incident[]> {
      let q = db.selectFrom('incidents').selectAll().where('merged_into', 'is', null).orderBy('suspected_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (cursor) q = q.where((eb) => eb.or([eb('suspected_at', '<', cursor.suspectedAt), eb.and([eb('suspected_at', '=', cursor.suspectedAt), eb('id', '<', cursor.id)])]));
      return (await q.execute()).map(toIncident);
    },

    async setStatus(id: string, status: IncidentStatus, by: string | null, now: number): Promise<void> {
      const set = status === 'confirmed' ? { status, confirmed_at: now, confirmed_by: by, updated_at: now } : status === 'resolved' ? { status, resolved_at: now, updated_at: now } : { status, updated_at: now };
      await db.updateTable('incidents').set(set).where('id', '=', id).execute();
    },

    async setAcknowledgement(id: string, text: string, now: number): Promise<void> {
      await db.updateTable('incidents').set({ acknowledgement: text, acknowledged_at: now, updated_at: now }).where('id', '=', id).execute();
    },

    async setResolution(id: string, text: string, now: number): Promise<void> {
      await db.updateTable('incidents').set({ resolution: text, updated_at: now }).where('id', '=', id).execute();
    },

    /** The incident `goneId` folded into `survivorId`: its row stays as a pointer, its members move. */
    async markMerged(goneId: string, survivorId: string, now: number): Promise<void> {
      await db.updateTable('incidents').set({ merged_into: survivorId, updated_at: now }).where('id', '=', goneId).execute();
      await db.updateTable('messages').set({ incident_id: survivorId }).where('incident_id', '=', goneId).execute();
      await db.updateTable('conversations').set({ incident_id: survivorId }).where('incident_id', '=', goneId).execute();
    },

    /** Sets the incident on member messages and on their conversations. */
    async attachMembers(incidentId: string, messageIds: readonly string[]): Promise<void> {
      for (const part of chunk(messageIds)) {
        await db.updateTable('messages').set({ incident_id: incidentId }).where('id', 'in', part).execute();
        await db
          .updateTable('conversations')
          .set({ incident_id: incidentId })
          .where('id', 'in', db.selectFrom('messages').select('conversation_id').where('id', 'in', part).where('conversation_id', 'is not', null).$narrowType<{ conversation_id: string }>())
          .execute();
      }
    },

    async members(incidentId: string, limit: number): Promise<IncidentMember[]> {
      const rows = await db
        .selectFrom('messages')
        .select(['id', 'conversation_id', 'channel_id', 'customer_id', 'author_handle', 'text', 'created_at'])
        .where('incident_id', '=', incidentId)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ messageId: r.id, conversationId: r.conversation_id, channelId: r.channel_id, customerId: r.customer_id, authorHandle: r.author_handle, text: r.text, createdAt: Number(r.created_at) }));
    },

    /** Conversations holding at least one member, for the fan-out (one reply each). */
    async memberConversations(incidentId: string): Promise<string[]> {
      const rows = await db.selectFrom('conversations').select('id').where('incident_id', '=', incidentId).orderBy('id').execute();
      return rows.map((r) => r.id);
    },

    /**
     * The detector's saved state with its revision. `lock` takes the row for the rest of the
     * transaction on PostgreSQL, so two workers never interleave their detector updates.
     */
    async detectorRevision(lock: boolean): Promise<number | null> {
      let q = db.selectFrom('incident_detector').select('revision').where('id', '=', DETECTOR_ROW);
      if (lock && options.skipLocked) q = q.forUpdate();
      const r = await q.executeTakeFirst();
      return r ? Number(r.revision) : null;
    },

    async detectorState(): Promise<{ revision: number; state: string } | null> {
      const r = await db.selectFrom('incident_detector').select(['revision', 'state']).where('id', '=', DETECTOR_ROW).executeTakeFirst();
      return r ? { revision: Number(r.revision), state: r.state } : null;
    },

    /** The stored window in the window's order, with the entries that left it since the baselines were saved. */
    async windowEntries(): Promise<StoredWindowEntry[]> {
      const rows = await db.selectFrom('incident_window').selectAll().orderBy('seq').execute();
      return rows.map((r) => ({ id: r.message_id, seq: Number(r.seq), at: Number(r.at), channelId: r.channel_id, platform: r.platform, terms: r.terms === '' ? [] : r.terms.split(' '), isAssigned: Number(r.assigned) === 1, evicted: Number(r.evicted) === 1 }));
    },

    /** Applies the window's changes since the last call: entries that joined it, the range that left it, entries an incident now explains. */
    async saveWindowChanges(changes: WindowChanges): Promise<void> {
      await insertWindowRows(executor, changes.added.map((e) => [e.seq, e.id, e.at, e.channelId, e.platform, e.terms.join(' '), e.isAssigned ? 1 : 0, e.evicted ? 1 : 0]));
      if (changes.evicted) await evictWindowRows(executor, changes.evicted.from, changes.evicted.to);
      await assignWindowRows(executor, changes.assigned.map((seq) => [seq]));
    },

    async detectorBaselines(): Promise<string | null> {
      const r = await db.selectFrom('incident_detector').select('state').where('id', '=', BASELINES_ROW).executeTakeFirst();
      return r?.state ?? null;
    },

    /** Saves the baselines, which hold every window entry before `headSeq`: those rows go. */
    async saveDetectorBaselines(revision: number, state: string, headSeq: number, now: number): Promise<void> {
      await db
        .insertInto('incident_detector')
        .values({ id: BASELINES_ROW, revision, state, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ revision, state, updated_at: now }))
        .execute();
      await dropFoldedRows(executor, headSeq);
    },

    async saveDetectorState(revision: number, state: string, now: number): Promise<void> {
      await db
        .insertInto('incident_detector')
        .values({ id: DETECTOR_ROW, revision, state, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ revision, state, updated_at: now }))
        .execute();
    },
  };
};

export type IncidentsRepository = ReturnType<typeof createIncidentsRepository>;
