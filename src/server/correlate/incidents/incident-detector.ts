import { poissonSurprise } from './burst-test.js';
import { createDecayedCounts } from './decayed-counts.js';
import { incidentIdFor } from './incident-id.js';
import { matchIncident } from './incident-match.js';
import {
  addMember,
  countRecentMembers,
  createIncidentRecord,
  explainTerms,
  isAcceptingMembers,
  mergeRecords,
  recordFromState,
  recordToState,
  toSnapshot,
  type IncidentRecord,
} from './incident-record.js';
import { extractTerms } from './normalise-text.js';
import { createSlidingWindow, hasPair, termPairs, type SlidingWindowOptions, type WindowChanges, type WindowEntry } from './sliding-window.js';
import type {
  IncidentDetectorOptions,
  IncidentDetectorState,
  IncidentEvent,
  IncidentMessage,
  IncidentSnapshot,
} from './types.js';

export interface IncidentDetector {
  /** Feeds messages (any order inside a batch; processed by time) and returns what changed. */
  observe(batch: IncidentMessage | readonly IncidentMessage[]): IncidentEvent[];
  incidents(): IncidentSnapshot[];
  incident(id: string): IncidentSnapshot | null;
  /** A supervisor agrees it is one incident. Returns null for an unknown id. */
  confirm(id: string, at: number): IncidentSnapshot | null;
  /** Closes the incident: it takes no more members. Idempotent. Returns null for an unknown id. */
  resolve(id: string, at: number): IncidentSnapshot | null;
  /**
   * The whole state. A store that keeps the window as rows (see takeWindowChanges) leaves it out with
   * `{ window: false }`, and the baselines, which it saves less often, with `{ baselines: false }`.
   */
  exportState(options?: { window?: boolean; baselines?: boolean }): IncidentDetectorState;
  /** Window changes since the last call, when created with `{ journal: true }` (else always empty). */
  takeWindowChanges(): WindowChanges;
  /** `seq` of the oldest entry in the window: the entries before it have fed the baselines. */
  windowHeadSeq(): number;
}

/** How a store that keeps the window as rows restores it (see restoreIncidentDetector). */
export interface WindowStorage extends SlidingWindowOptions {
  /** Entries that left the window after the saved baselines were exported, oldest first: fed to them again. */
  evictedSinceBaselines?: readonly IncidentDetectorState['window'][number][];
}

type Settings = Required<IncidentDetectorOptions>;

interface PendingEvents {
  events: IncidentEvent[];
  byIncident: Map<string, IncidentEvent>;
}

const MINUTE = 60_000;
const DEFAULTS: Settings = {
  windowMs: 10 * MINUTE,
  baselineHalfLifeMs: 12 * 60 * MINUTE,
  minBaselineDocs: 0,
  minBurstSize: 5,
  minBurstRatio: 4,
  minSurprise: 6,
  joinScore: 3.5,
  absorbScore: 2.5,
  absorbShare: 0.5,
  coreTermShare: 0.1,
  minSharedTerms: 2,
  quietCloseMs: 30 * MINUTE,
  retainMs: 24 * 60 * MINUTE,
  maxWindowEntries: 200_000,
  maxBaselineKeys: 200_000,
  maxMemberIdsPerIncident: 20_000,
};

const emptyCounts = () => ({ refAt: null, total: 0, keys: [] });

// Pseudo-counts: before any history, a pair is taken to occur in 1 message out of 1000.
const PRIOR_DOCS = 200;
const PRIOR_PAIR = 0.2;

export function createIncidentDetector(opts: IncidentDetectorOptions = {}, windowOptions: WindowStorage = {}): IncidentDetector {
  return buildDetector({ ...DEFAULTS, ...opts }, null, windowOptions);
}

/** Rebuilds a detector from `exportState()` output (after a restart); the options need not be the same. */
export function restoreIncidentDetector(
  state: IncidentDetectorState,
  opts: IncidentDetectorOptions = {},
  windowOptions: WindowStorage = {},
): IncidentDetector {
  if (state.version !== 1) throw new Error(`unsupported incident detector state version ${String(state.version)}`);
  return buildDetector({ ...DEFAULTS, ...opts }, state, windowOptions);
}

function buildDetector(settings: Settings, state: IncidentDetectorState | null, windowOptions: WindowStorage): IncidentDetector {
  const countsOpts = { halfLifeMs: settings.baselineHalfLifeMs, maxKeys: settings.maxBaselineKeys };
  const baselineTerms = createDecayedCounts(countsOpts, state?.baselineTerms);
  const baselinePairs = createDecayedCounts(countsOpts, state?.baselinePairs);
  // As advance() fed them, in the same order, so the baselines come out as they were.
  for (const entry of windowOptions.evictedSinceBaselines ?? []) {
    if (entry.isAssigned) continue;
    baselineTerms.add(entry.at, entry.terms);
    baselinePairs.add(entry.at, termPairs(entry.terms));
  }
  const window = createSlidingWindow(state?.window, windowOptions);
  const records = new Map<string, IncidentRecord>();
  const memberIndex = new Map<string, string>();
  const mergedInto = new Map<string, string>(state?.mergedInto ?? []);
  let now = state?.now ?? Number.NEGATIVE_INFINITY;
  let lateMessages = state?.lateMessages ?? 0;

  for (const saved of state?.incidents ?? []) {
    const record = recordFromState(saved);
    records.set(record.id, record);
    for (const memberId of record.memberIds) memberIndex.set(memberId, record.id);
  }

  /** Share of everyday complaints holding `term` (smoothed: never 0 or 1). */
  function backgroundRate(term: string): number {
    const scale = baselineTerms.scaleAt(now);
    return (baselineTerms.stored(term) + 0.5 * scale) / (baselineTerms.storedTotal() + scale);
  }

  const idf = (term: string): number => -Math.log(backgroundRate(term));

  function pairRate(key: string): number {
    const scale = baselinePairs.scaleAt(now);
    return (baselinePairs.stored(key) + PRIOR_PAIR * scale) / (baselinePairs.storedTotal() + PRIOR_DOCS * scale);
  }

  const confidenceOf = (surprise: number): number => surprise / (surprise + settings.minSurprise);

  /** Moves old entries out of the window; those no incident explains feed the baseline. */
  function advance(): void {
    for (const entry of window.evict(now - settings.windowMs, settings.maxWindowEntries)) {
      baselineTerms.add(entry.at, entry.terms);
      baselinePairs.add(entry.at, entry.pairs);
    }
  }

  function forgetOldIncidents(): void {
    for (const record of [...records.values()]) {
      const closedAt = record.resolvedAt ?? record.lastAt;
      if (now - closedAt <= settings.retainMs) continue;
      records.delete(record.id);
      for (const memberId of record.memberIds) memberIndex.delete(memberId);
    }
    for (const [gone, survivor] of mergedInto) if (!records.has(survivor)) mergedInto.delete(gone);
  }

  function join(record: IncidentRecord, entry: WindowEntry, terms: readonly string[]): void {
    addMember(record, { ...entry, terms }, settings.maxMemberIdsPerIncident);
    memberIndex.set(entry.id, record.id);
    window.assign(entry);
  }

  function retest(record: IncidentRecord): void {
    const recent = countRecentMembers(record, now - settings.windowMs);
    const expected = Math.max(1, window.size()) * pairRate(record.triggerTerms.join(' '));
    const surprise = poissonSurprise(recent, expected);
    record.confidence = Math.max(record.confidence, confidenceOf(surprise));
    if (surprise >= settings.minSurprise / 2) record.lastHotAt = now;
  }

  /** Share of `from`'s members still in the window that would pass the loose join test for `to`. */
  /** Share of `fromEntries` (one incident's members still in the window) that would join `to`. */
  function resemblance(fromEntries: readonly WindowEntry[], to: IncidentRecord): number {
    let alike = 0;
    for (const entry of fromEntries) {
      const match = matchIncident(entry.terms, to, backgroundRate, settings.coreTermShare);
      if (match.shared.length >= settings.minSharedTerms && match.score >= settings.absorbScore) alike++;
    }
    return fromEntries.length === 0 ? 0 : alike / fromEntries.length;
  }

  /** Window entries grouped by the incident they belong to: one pass instead of one per pair of incidents. */
  function windowMembersByIncident(): Map<string, WindowEntry[]> {
    const byIncident = new Map<string, WindowEntry[]>();
    for (const entry of window.entries()) {
      const id = memberIndex.get(entry.id);
      if (id === undefined) continue;
      const list = byIncident.get(id);
      if (list) list.push(entry);
      else byIncident.set(id, [entry]);
    }
    return byIncident;
  }

  /**
   * Two incidents opened in the first seconds of one burst by differently worded messages
   * ("data down in Manchester", "is Vantel data down?") look alike once both have grown;
   * checked when an incident doubles in size, the younger folds into the older.
   */
  function mergeIfSame(grown: IncidentRecord, pending: PendingEvents): void {
    const size = grown.memberCount;
    if (size < 8 || (size & (size - 1)) !== 0) return;
    // Messages that came before the profile was broad enough get a second look.
    const lateJoiners = lookAlikesOf(grown, window.unassigned(), settings.joinScore);
    for (const { entry, terms } of lateJoiners) join(grown, entry, terms);
    if (lateJoiners.length > 0) addPending(pending, grown, lateJoiners.map(({ entry }) => entry.id));
    let members: Map<string, WindowEntry[]> | null = null;
    for (const other of [...records.values()]) {
      if (other === grown || !isAcceptingMembers(other, now, settings.quietCloseMs)) continue;
      members ??= windowMembersByIncident();
      if (Math.max(resemblance(members.get(grown.id) ?? [], other), resemblance(members.get(other.id) ?? [], grown)) < settings.absorbShare) continue;
      const isGrownOlder = grown.suspectedAt < other.suspectedAt || (grown.suspectedAt === other.suspectedAt && grown.id < other.id);
      const [survivor, gone] = isGrownOlder ? [grown, other] : [other, grown];
      mergeRecords(survivor, gone, settings.maxMemberIdsPerIncident);
      records.delete(gone.id);
      mergedInto.set(gone.id, survivor.id);
      for (const [alias, target] of mergedInto) if (target === gone.id) mergedInto.set(alias, survivor.id);
      for (const memberId of gone.memberIds) memberIndex.set(memberId, survivor.id);
      pending.events.push({ ...eventFor(survivor, 'incident_merged', [...gone.memberIds]), mergedIncidentId: gone.id });
      pending.byIncident.delete(gone.id);
      if (survivor !== grown) return;
    }
  }

  function eventFor(record: IncidentRecord, type: IncidentEvent['type'], messageIds: string[]): IncidentEvent {
    return {
      type,
      incidentId: record.id,
      messageIds,
      terms: explainTerms(record, idf),
      window: { from: record.firstAt, to: record.lastAt },
      confidence: record.confidence,
      at: now,
    };
  }

  function bestOpenMatch(terms: readonly string[]): { record: IncidentRecord; terms: string[] } | null {
    let best: { record: IncidentRecord; terms: string[]; score: number } | null = null;
    for (const record of records.values()) {
      if (!isAcceptingMembers(record, now, settings.quietCloseMs)) continue;
      // Cheap pre-check before the typo-tolerant scoring: a message sharing no term at all with an incident cannot join it.
      if (!terms.some((t) => record.termCounts.has(t))) continue;
      const match = matchIncident(terms, record, backgroundRate, settings.coreTermShare);
      if (match.shared.length < settings.minSharedTerms || match.score < settings.joinScore) continue;
      if (!best || match.score > best.score) best = { record, terms: match.terms, score: match.score };
    }
    return best;
  }

  /** The most surprising burst among the pairs of a newly counted entry, if any passes the test. */
  function findBurst(pairs: readonly string[]): { key: string; surprise: number } | null {
    if (baselineTerms.storedTotal() / baselineTerms.scaleAt(now) < settings.minBaselineDocs) return null;
    const messages = window.unassignedCount();
    let best: { key: string; surprise: number } | null = null;
    for (const key of pairs) {
      const observed = window.pairCount(key);
      if (observed < settings.minBurstSize) continue;
      const expected = messages * pairRate(key);
      if (observed < settings.minBurstRatio * expected) continue;
      const surprise = poissonSurprise(observed, expected);
      if (surprise >= settings.minSurprise && (!best || surprise > best.surprise)) best = { key, surprise };
    }
    return best;
  }

  /** Entries that pass the join rule for `record` (scored against its profile as it stands). */
  function lookAlikesOf(record: IncidentRecord, entries: readonly WindowEntry[], minScore: number) {
    const found: Array<{ entry: WindowEntry; terms: string[] }> = [];
    for (const entry of entries) {
      if (entry.isAssigned) continue;
      const match = matchIncident(entry.terms, record, backgroundRate, settings.coreTermShare);
      if (match.shared.length >= settings.minSharedTerms && match.score >= minScore) found.push({ entry, terms: match.terms });
    }
    return found;
  }

  /**
   * A burst of the same problem in other words ("no 4G in Manchester" after "Manchester data
   * down") joins the open incident when most of its messages resemble it; otherwise it opens one.
   */
  function handleBurst(key: string, surprise: number, pending: PendingEvents): IncidentEvent | null {
    const candidates = window.unassigned().sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    const seeds = candidates.filter((entry) => hasPair(entry.terms, key));
    let host: IncidentRecord | null = null;
    let hostShare = settings.absorbShare;
    for (const record of records.values()) {
      if (!isAcceptingMembers(record, now, settings.quietCloseMs)) continue;
      const share = lookAlikesOf(record, seeds, settings.absorbScore).length / seeds.length;
      if (share >= hostShare) [host, hostShare] = [record, share];
    }
    if (host) {
      const ids = seeds.map((seed) => seed.id);
      for (const seed of seeds) join(host, seed, seed.terms);
      retest(host);
      addPending(pending, host, ids);
      return null;
    }
    const [first] = seeds as [WindowEntry];
    const [a, b] = key.split(' ') as [string, string];
    const record = createIncidentRecord(incidentIdFor(first.id), [a, b], now, confidenceOf(surprise));
    for (const seed of seeds) join(record, seed, seed.terms);
    // Match the rest against the seeds' profile as it stands, so the order of this sweep cannot drift it.
    for (const { entry, terms } of lookAlikesOf(record, candidates, settings.joinScore)) join(record, entry, terms);
    records.set(record.id, record);
    return eventFor(record, 'incident_suspected', [...record.memberIds]);
  }

  /** One member_added event per incident per observe call, growing as members join. */
  function addPending(pending: PendingEvents, record: IncidentRecord, ids: string[]): void {
    const open = pending.byIncident.get(record.id);
    const fresh = eventFor(record, 'member_added', open ? [...open.messageIds, ...ids] : ids);
    if (open) Object.assign(open, fresh);
    else {
      pending.byIncident.set(record.id, fresh);
      pending.events.push(fresh);
    }
  }

  function observeOne(message: IncidentMessage, pending: PendingEvents): void {
    if (memberIndex.has(message.id) || window.has(message.id)) return;
    if (message.at > now) {
      now = message.at;
      advance();
    }
    if (message.at < now - settings.windowMs) {
      lateMessages++;
      return;
    }
    if (!message.isComplaint) return;
    const terms = extractTerms(message.text);
    const pairs = termPairs(terms);
    const entry = window.add({ id: message.id, at: message.at, channelId: message.channelId, platform: message.platform, terms, isAssigned: false }, pairs);
    const match = bestOpenMatch(terms);
    if (match) {
      join(match.record, entry, match.terms);
      retest(match.record);
      addPending(pending, match.record, [message.id]);
      mergeIfSame(match.record, pending);
      return;
    }
    const burst = findBurst(pairs);
    if (!burst) return;
    const opened = handleBurst(burst.key, burst.surprise, pending);
    if (opened) pending.events.push(opened);
  }

  function mustGet(id: string): IncidentRecord | null {
    return records.get(mergedInto.get(id) ?? id) ?? null;
  }

  const snapshot = (record: IncidentRecord): IncidentSnapshot =>
    toSnapshot(record, explainTerms(record, idf), now, settings.quietCloseMs);

  return {
    observe(batch) {
      const list = Array.isArray(batch) ? (batch as readonly IncidentMessage[]) : [batch as IncidentMessage];
      // A stable sort by time makes one batch equivalent to the same messages fed one by one.
      const ordered = [...list].sort((x, y) => x.at - y.at);
      const pending: PendingEvents = { events: [], byIncident: new Map() };
      for (const message of ordered) observeOne(message, pending);
      forgetOldIncidents();
      return pending.events;
    },
    incidents: () => [...records.values()].map(snapshot),
    incident(id) {
      const record = mustGet(id);
      return record ? snapshot(record) : null;
    },
    confirm(id, at) {
      const record = mustGet(id);
      if (!record) return null;
      if (record.status === 'suspected') {
        record.status = 'confirmed';
        record.confirmedAt = at;
      }
      return snapshot(record);
    },
    resolve(id, at) {
      const record = mustGet(id);
      if (!record) return null;
      if (record.status !== 'resolved') {
        record.status = 'resolved';
        record.resolvedAt = at;
      }
      return snapshot(record);
    },
    takeWindowChanges: () => window.takeChanges(),
    windowHeadSeq: () => window.headSeq(),
    exportState: (options) => ({
      version: 1,
      now: Number.isFinite(now) ? now : null,
      window: options?.window === false ? [] : window.exportState(),
      baselineTerms: options?.baselines === false ? emptyCounts() : baselineTerms.exportState(),
      baselinePairs: options?.baselines === false ? emptyCounts() : baselinePairs.exportState(),
      incidents: [...records.values()].map(recordToState),
      mergedInto: [...mergedInto.entries()],
      lateMessages,
    }),
  };
}
