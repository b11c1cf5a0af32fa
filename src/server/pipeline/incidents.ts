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
}

/** Loads the saved detector (or a new one), lets `change` act on it, saves it with the next revision. */
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
  await repos.incidents.saveDetectorState(revision, JSON.stringify(detector.exportState()), now);
  return { result, revision, detector };
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
  const checkpointMs = options.checkpointMs ?? 5_000;

  const current = async (repos: Repositories): Promise<{ detector: IncidentDetector; revision: number }> => {
    const revision = await repos.incidents.detectorRevision(true);
    if (detector && revision !== null && revision === committedRevision) return { detector, revision };
    const saved = revision === null ? null : await repos.incidents.detectorState();
    const fresh = saved ? restoreIncidentDetector(JSON.parse(saved.state) as IncidentDetectorState, detectorOptions) : createIncidentDetector(detectorOptions);
    return { detector: fresh, revision: saved?.revision ?? 0 };
  };

  const apply = async (repos: Repositories, d: IncidentDetector, events: readonly IncidentEvent[], now: number): Promise<void> => {
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
      await apply(repos, d, events, now);
      // The state is large (sliding window, baselines): checkpoint it when incidents changed or every few
      // seconds, not on every batch. A crash loses at most that much burst evidence, never a message.
      if (continuing && events.length === 0 && savedAt !== null && now - savedAt < checkpointMs) {
        afterCommit(() => {
          if (detector === d) committedRevision = revision;
        });
        return events;
      }
      const next = revision + 1;
      await repos.incidents.saveDetectorState(next, JSON.stringify(d.exportState()), now);
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
