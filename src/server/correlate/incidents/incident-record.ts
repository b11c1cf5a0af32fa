import type { IncidentRecordState, IncidentSnapshot, IncidentStatus } from './types.js';

/** The live, mutable form of one incident inside the detector. */
export interface IncidentRecord {
  id: string;
  status: IncidentStatus;
  triggerTerms: [string, string];
  memberIds: string[];
  memberCount: number;
  /** Member times inside the burst window, for re-testing the burst as it grows. */
  recentMemberAts: number[];
  firstAt: number;
  lastAt: number;
  /** Last time the incident's recent members were still a burst against the baseline. */
  lastHotAt: number;
  termCounts: Map<string, number>;
  channels: Record<string, number>;
  platforms: Record<string, number>;
  confidence: number;
  suspectedAt: number;
  confirmedAt: number | null;
  resolvedAt: number | null;
  /** Memo of the signature, a pure function of termCounts and memberCount. */
  signatureMemo: Signature | null;
}

export interface Signature {
  terms: string[];
  shares: Map<string, number>;
}

/** Terms in at least this share of members (and in two of them) make up an incident's profile. */
const SIGNATURE_MIN_SHARE = 0.04;
const SIGNATURE_MAX_TERMS = 60;

export interface NewMember {
  id: string;
  at: number;
  channelId: string;
  platform: string;
  terms: readonly string[];
}

export function createIncidentRecord(
  id: string,
  triggerTerms: [string, string],
  suspectedAt: number,
  confidence: number,
): IncidentRecord {
  return {
    id,
    status: 'suspected',
    triggerTerms,
    memberIds: [],
    memberCount: 0,
    recentMemberAts: [],
    firstAt: Number.POSITIVE_INFINITY,
    lastAt: Number.NEGATIVE_INFINITY,
    lastHotAt: suspectedAt,
    termCounts: new Map(),
    channels: {},
    platforms: {},
    confidence,
    suspectedAt,
    confirmedAt: null,
    resolvedAt: null,
    signatureMemo: null,
  };
}

export function addMember(record: IncidentRecord, member: NewMember, maxMemberIds: number): void {
  if (record.memberIds.length < maxMemberIds) record.memberIds.push(member.id);
  record.memberCount++;
  insertSorted(record.recentMemberAts, member.at);
  record.firstAt = Math.min(record.firstAt, member.at);
  record.lastAt = Math.max(record.lastAt, member.at);
  for (const term of member.terms) record.termCounts.set(term, (record.termCounts.get(term) ?? 0) + 1);
  record.channels[member.channelId] = (record.channels[member.channelId] ?? 0) + 1;
  record.platforms[member.platform] = (record.platforms[member.platform] ?? 0) + 1;
  record.signatureMemo = null;
}

/** Drops member times older than `cutoff` and returns how many remain. */
/** Moves every member of `from` into `into` (used when two incidents prove to be one). */
export function mergeRecords(into: IncidentRecord, from: IncidentRecord, maxMemberIds: number): void {
  for (const id of from.memberIds) if (into.memberIds.length < maxMemberIds) into.memberIds.push(id);
  into.memberCount += from.memberCount;
  into.recentMemberAts = [...into.recentMemberAts, ...from.recentMemberAts].sort((a, b) => a - b);
  into.firstAt = Math.min(into.firstAt, from.firstAt);
  into.lastAt = Math.max(into.lastAt, from.lastAt);
  into.lastHotAt = Math.max(into.lastHotAt, from.lastHotAt);
  for (const [term, count] of from.termCounts) into.termCounts.set(term, (into.termCounts.get(term) ?? 0) + count);
  for (const [key, count] of Object.entries(from.channels)) into.channels[key] = (into.channels[key] ?? 0) + count;
  for (const [key, count] of Object.entries(from.platforms)) into.platforms[key] = (into.platforms[key] ?? 0) + count;
  into.confidence = Math.max(into.confidence, from.confidence);
  if (into.status === 'suspected' && from.status === 'confirmed') {
    into.status = 'confirmed';
    into.confirmedAt = from.confirmedAt;
  }
  into.signatureMemo = null;
}

/** Index of the first value ≥ `value` in ascending `values`. */
const lowerBound = (values: readonly number[], value: number): number => {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Keeps `values` ascending: members arrive in time order but for late ones, which go in their place. */
function insertSorted(values: number[], value: number): void {
  if (values.length === 0 || (values[values.length - 1] as number) <= value) values.push(value);
  else values.splice(lowerBound(values, value + 1), 0, value);
}

/**
 * How many member times are at or after `cutoff` (times kept ascending). Called for every member that joins:
 * filtering the list each time was quadratic in a large outage's members, so the older times are dropped only
 * once they are many (the count never includes them).
 */
export function countRecentMembers(record: IncidentRecord, cutoff: number): number {
  const ats = record.recentMemberAts;
  const old = lowerBound(ats, cutoff);
  if (old >= 1024 || old * 2 >= ats.length) {
    ats.splice(0, old);
    return ats.length;
  }
  return ats.length - old;
}

export function signatureOf(record: IncidentRecord): Signature {
  if (record.signatureMemo) return record.signatureMemo;
  const n = Math.max(1, record.memberCount);
  const ranked = [...record.termCounts.entries()]
    .filter(([, count]) => count >= 2 && count / n >= SIGNATURE_MIN_SHARE)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, SIGNATURE_MAX_TERMS);
  const memo: Signature = { terms: ranked.map(([term]) => term), shares: new Map(ranked.map(([t, c]) => [t, c / n])) };
  record.signatureMemo = memo;
  return memo;
}

/** The explanation: signature terms shared by many members, weighted by how rare they are elsewhere. */
export function explainTerms(record: IncidentRecord, idf: (term: string) => number, limit = 6): string[] {
  const { terms, shares } = signatureOf(record);
  return terms
    .filter((term) => (shares.get(term) ?? 0) >= 0.2)
    .map((term) => ({ term, weight: (shares.get(term) ?? 0) * idf(term) }))
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, limit)
    .map(({ term }) => term);
}

export function isAcceptingMembers(record: IncidentRecord, now: number, quietCloseMs: number): boolean {
  return record.status !== 'resolved' && now - record.lastHotAt <= quietCloseMs;
}

export function toSnapshot(
  record: IncidentRecord,
  terms: string[],
  now: number,
  quietCloseMs: number,
): IncidentSnapshot {
  return {
    id: record.id,
    status: record.status,
    terms,
    triggerTerms: record.triggerTerms,
    window: { from: record.firstAt, to: record.lastAt },
    confidence: record.confidence,
    memberCount: record.memberCount,
    memberIds: [...record.memberIds],
    channels: { ...record.channels },
    platforms: { ...record.platforms },
    suspectedAt: record.suspectedAt,
    confirmedAt: record.confirmedAt,
    resolvedAt: record.resolvedAt,
    isAcceptingMembers: isAcceptingMembers(record, now, quietCloseMs),
  };
}

export function recordToState(record: IncidentRecord): IncidentRecordState {
  const { signatureMemo: _memo, termCounts, ...rest } = record;
  return {
    ...rest,
    memberIds: [...rest.memberIds],
    recentMemberAts: [...rest.recentMemberAts],
    channels: { ...rest.channels },
    platforms: { ...rest.platforms },
    termCounts: [...termCounts.entries()],
  };
}

export function recordFromState(state: IncidentRecordState): IncidentRecord {
  return {
    ...state,
    triggerTerms: [state.triggerTerms[0], state.triggerTerms[1]],
    memberIds: [...state.memberIds],
    recentMemberAts: [...state.recentMemberAts].sort((a, b) => a - b),
    channels: { ...state.channels },
    platforms: { ...state.platforms },
    termCounts: new Map(state.termCounts),
    signatureMemo: null,
  };
}
