import {
  createIncidentDetector,
  restoreIncidentDetector,
  type IncidentDetector,
  type IncidentDetectorOptions,
  type IncidentDetectorState,
  type IncidentEvent,
  type IncidentMessage,
  type IncidentSnapshot,
} from '../correlate/incidents/index.js';
import type { Repositories } from '../repositories/index.js';
import { queueIncidentDetected } from './decide-events.js';

/** Intents that describe something wrong: with negative sentiment, what the incident detector counts. */
export const complaintIntents: ReadonlySet<string> = new Set(['outage', 'product_defect', 'complaint', 'billing', 'account_access', 'order_delivery']);

export const isComplaint = (m: { direction: string; spam: boolean; sentiment: string | null; intent: string | null }): boolean =>
  m.direction === 'in' && !m.spam && (m.sentiment === 'negative' || (m.intent !== null && complaintIntents.has(m.intent)));

export interface IncidentTrackerOptions {
  detector?: IncidentDetectorOptions;
  /** Suspected incidents at or above this confidence are confirmed without a supervisor; null never. */
  autoConfirmConfidence: number | null;
  /** Longest time between detector checkpoints when nothing changed (default 5 s). */
  checkpointMs?: number;
  /** Time between checkpoints of the detector's baselines (default 60 s). */
  baselineCheckpointMs?: number;
}

type Baselines = Pick<IncidentDetectorState, 'baselineTerms' | 'baselinePairs'>;

/**
 * Loads the saved detector (or a new one), lets `change` act on it, saves it with the next revision. For changes to
 * incidents only (a supervisor confirming or resolving): the window (rows) and the baselines (a row of their own) are
 * neither read nor written.
 */
export const updateSavedDetector = async <T>(
  repos: Repositories,
  options: IncidentDetectorOptions,
  now: number,
  change: (detector: IncidentDetector) => T,
): Promise<{ result: T; revision: number; detector: IncidentDetector }> => {
  await repos.incidents.detectorRevision(true);
  const saved = await repos.incidents.detectorState();
  const detector = saved ? restoreIncidentDetector(JSON.parse(saved.state) as IncidentDetectorState, options) : createIncidentDetector(options);
  const result = change(detector);
  const revision = (saved?.revision ?? 0) + 1;
  await repos.incidents.saveDetectorState(revision, JSON.stringify(detector.exportState({ window: false, baselines: false })), now);
  return { result, revision, detector };
};

/**
 * The detector as the store holds it, journalling its window's changes: its state, its baselines, and its window's
 * rows, where the complaints that left the window after the baselines were saved are fed to them again.
 */
export const loadSavedDetector = async (repos: Repositories, options: IncidentDetectorOptions): Promise<{ detector: IncidentDetector; revision: number }> => {
  const saved = await repos.incidents.detectorState();
  const rows = await repos.incidents.windowEntries();
  const window = rows.filter((r) => !r.evicted).map(({ seq: _seq, evicted: _evicted, ...entry }) => entry);
  const storage = {
    journal: true,
    firstSeq: rows.find((r) => !r.evicted)?.seq ?? (rows.length > 0 ? rows[rows.length - 1]!.seq + 1 : 0),
    evictedSinceBaselines: rows.filter((r) => r.evicted),
  };
  if (!saved) return { detector: createIncidentDetector(options, storage), revision: 0 };
  const baselines = await repos.incidents.detectorBaselines();
  const state = { ...(JSON.parse(saved.state) as IncidentDetectorState), ...(baselines ? (JSON.parse(baselines) as Baselines) : {}), window };
  return { detector: restoreIncidentDetector(state, options, storage), revision: saved.revision };
};

const factsOf = (s: IncidentSnapshot) => ({
  id: s.id,
  terms: s.terms,
  triggerTerms: [...s.triggerTerms],
  window: s.window,
  confidence: s.confidence,
  memberCount: s.memberCount,
  channels: s.channels,
  platforms: s.platforms,
  suspectedAt: s.suspectedAt,
});

/**
 * The correlate stage's incident side: feeds complaints to the detector and writes what it
 * decides into the job's transaction. The detector is kept in memory between jobs and trusted
 * only while the saved revision is the one this process last committed; any other writer (a
 * second worker, a supervisor confirming) or a rolled-back job makes the next batch reload it.
 */
export const createIncidentTracker = (options: IncidentTrackerOptions) => {
  // In service the detector waits for some history before it calls anything a burst (see minBaselineDocs).
  const detectorOptions: IncidentDetectorOptions = { minBaselineDocs: 150, ...options.detector };
  let detector: IncidentDetector | null = null;
  let committedRevision: number | null = null;
  let savedAt: number | null = null;
  let lastRevision: number | null = null;
  let baselinesSavedAt: number | null = null;
  const checkpointMs = options.checkpointMs ?? 5_000;
  const baselineCheckpointMs = options.baselineCheckpointMs ?? 60_000;

  const current = async (repos: Repositories): Promise<{ detector: IncidentDetector; revision: number }> => {
    const revision = await repos.incidents.detectorRevision(true);
    if (detector && revision !== null && revision === committedRevision) return { detector, revision };
    return loadSavedDetector(repos, detectorOptions);
  };

  /** Writes what the detector decided; true when it confirmed an incident by itself (a change to its own records). */
  const apply = async (repos: Repositories, d: IncidentDetector, events: readonly IncidentEvent[], now: number): Promise<boolean> => {
    const touched = new Set<string>();
    for (const event of events) {
      if (event.type === 'incident_merged' && event.mergedIncidentId) await repos.incidents.markMerged(event.mergedIncidentId, event.incidentId, now);
      touched.add(event.incidentId);
    }
    for (const id of touched) {
      const snapshot = d.incident(id);
      if (snapshot) await repos.incidents.upsert(factsOf(snapshot), now);
    }
    for (const event of events) await repos.incidents.attachMembers(event.incidentId, event.messageIds);
    // incident_detected rules run once the members are attached: on suspicion, and on an automatic confirmation.
    const detected: { id: string; status: 'suspected' | 'confirmed' }[] = events.filter((e) => e.type === 'incident_suspected').map((e) => ({ id: e.incidentId, status: 'suspected' }));
    if (options.autoConfirmConfidence !== null) {
      for (const id of touched) {
        const row = await repos.incidents.get(id);
        if (row?.status === 'suspected' && row.confidence >= options.autoConfirmConfidence) {
          d.confirm(id, now);
          await repos.incidents.setStatus(id, 'confirmed', null, now);
          detected.push({ id, status: 'confirmed' });
        }
      }
    }
    await queueIncidentDetected(repos, detected, now);
    return detected.some((e) => e.status === 'confirmed');
  };

  return {
    /** Runs inside the correlate job's transaction; `afterCommit` marks the in-memory detector as trusted. */
    async observe(repos: Repositories, messages: readonly IncidentMessage[], now: number, afterCommit: (effect: () => void) => void): Promise<IncidentEvent[]> {
      if (messages.length === 0) return [];
      const { detector: d, revision } = await current(repos);
      // Reused only while the store holds exactly what this process last committed.
      const continuing = d === detector && revision === lastRevision;
      // Until this transaction commits the in-memory detector is ahead of the store.
      detector = d;
      committedRevision = null;
      const events = d.observe(messages);
      const confirmed = await apply(repos, d, events, now);
      // The window follows every batch, as rows: the complaints that joined it, left it, or an incident now explains.
      // What left it stays as rows until the baselines it fed are saved, every minute (they hold up to 200,000 terms
      // and pairs each, and change only as complaints leave the window). The rest (incidents) is saved when one is
      // found or merged, and every few seconds. So a restart restores the window and baselines as they were at the
      // last committed batch, and may lose the last few seconds of members in the detector's incident records.
      await repos.incidents.saveWindowChanges(d.takeWindowChanges());
      const next = revision + 1;
      const saveBaselines = baselinesSavedAt === null || now - baselinesSavedAt >= baselineCheckpointMs;
      if (saveBaselines) {
        const { baselineTerms, baselinePairs } = d.exportState({ window: false });
        await repos.incidents.saveDetectorBaselines(next, JSON.stringify({ baselineTerms, baselinePairs } satisfies Baselines), d.windowHeadSeq(), now);
        afterCommit(() => {
          baselinesSavedAt = now;
        });
      }
      // Members joining an incident are already in the store (its row, the messages' incident); the detector's own
      // record of them (ids, times, terms) follows at the next checkpoint. Saving it with every batch of an outage
      // wrote the whole record, growing with every member, many times a second. Finding, merging or confirming
      // one is saved at once.
      const changed = confirmed || events.some((e) => e.type !== 'member_added');
      if (continuing && !changed && savedAt !== null && now - savedAt < checkpointMs) {
        afterCommit(() => {
          if (detector === d) committedRevision = revision;
        });
        return events;
      }
      await repos.incidents.saveDetectorState(next, JSON.stringify(d.exportState({ window: false, baselines: false })), now);
      afterCommit(() => {
        savedAt = now;
        lastRevision = next;
        if (detector === d) committedRevision = next;
      });
      return events;
    },
  };
};

export type IncidentTracker = ReturnType<typeof createIncidentTracker>;
