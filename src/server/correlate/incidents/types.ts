/** Public shapes of the incident detector: what goes in, what comes out, what gets persisted. */
import type { DecayedCountsState } from './decayed-counts.js';

export interface IncidentMessage {
  id: string;
  channelId: string;
  platform: string;
  text: string;
  /** Epoch milliseconds when the message was written. */
  at: number;
  isComplaint: boolean;
  language?: string;
  intent?: string;
}

export type IncidentStatus = 'suspected' | 'confirmed' | 'resolved';

export interface IncidentEvent {
  /**
   * `incident_merged`: two open incidents proved to be one problem; the members of
   * `mergedIncidentId` (listed in `messageIds`) now belong to `incidentId`, and the merged id is gone.
   */
  type: 'incident_suspected' | 'member_added' | 'incident_merged';
  incidentId: string;
  mergedIncidentId?: string;
  /** Messages that joined the incident with this event (all members so far for `incident_suspected`). */
  messageIds: string[];
  /** The terms the members share, most telling first: the explanation of the grouping. */
  terms: string[];
  /** Time span covered by the incident's members so far. */
  window: { from: number; to: number };
  /** 0..1, how unlikely the burst is under the topic's baseline rate. */
  confidence: number;
  /** Detector time (latest message time seen) when the event was produced. */
  at: number;
}

export interface IncidentSnapshot {
  id: string;
  status: IncidentStatus;
  terms: string[];
  /** The pair of terms whose burst opened the incident. */
  triggerTerms: [string, string];
  window: { from: number; to: number };
  confidence: number;
  memberCount: number;
  memberIds: string[];
  /** Members per channel and per platform, for answering once and fanning out per channel. */
  channels: Record<string, number>;
  platforms: Record<string, number>;
  suspectedAt: number;
  confirmedAt: number | null;
  resolvedAt: number | null;
  /** False once resolved, or `quietCloseMs` after its members stopped arriving faster than the baseline. */
  isAcceptingMembers: boolean;
}

export interface IncidentDetectorOptions {
  /** Sliding window of recent complaints the burst test counts over. Default 10 minutes. */
  windowMs?: number;
  /** Half-life of the baseline rates of terms and term pairs. Default 12 hours. */
  baselineHalfLifeMs?: number;
  /**
   * Everyday complaints the baseline must have seen (decayed count) before any burst is declared. Without history
   * every common complaint looks like a burst; a new install warms up first (or imports its history). Default 0 (off);
   * the pipeline uses 150.
   */
  minBaselineDocs?: number;
  /** Fewest messages sharing a pair of terms before a burst can be declared. Default 5. */
  minBurstSize?: number;
  /** Observed count must be at least this many times the baseline expectation. Default 4. */
  minBurstRatio?: number;
  /** Required -log10 p-value of the Poisson burst test. Default 6. */
  minSurprise?: number;
  /** Log-likelihood ratio (nats) a message needs, incident against baseline, to join an incident. Default 3.5. */
  joinScore?: number;
  /** A new burst joins an open incident when this share of its messages reach `absorbScore` with it. Default 0.5. */
  absorbShare?: number;
  /** Looser join score used only for that test, and for merging two open incidents. Default 2.5. */
  absorbScore?: number;
  /** Share of an incident's members a term must appear in to count as a shared term. Default 0.1. */
  coreTermShare?: number;
  /** Shared terms a message needs with an incident to join it. Default 2. */
  minSharedTerms?: number;
  /** An incident stops taking members this long after its members stop arriving faster than the baseline. Default 30 minutes. */
  quietCloseMs?: number;
  /** Incidents are forgotten this long after their last member or their resolution. Default 24 hours. */
  retainMs?: number;
  /** Cap on window entries, whatever the window length. Default 200,000. */
  maxWindowEntries?: number;
  /** Cap on keys kept by each baseline table. Default 200,000. */
  maxBaselineKeys?: number;
  /** Cap on member ids kept per incident (counts stay exact). Default 20,000. */
  maxMemberIdsPerIncident?: number;
}

export interface IncidentRecordState {
  id: string;
  status: IncidentStatus;
  triggerTerms: [string, string];
  memberIds: string[];
  memberCount: number;
  recentMemberAts: number[];
  firstAt: number;
  lastAt: number;
  lastHotAt: number;
  termCounts: Array<[string, number]>;
  channels: Record<string, number>;
  platforms: Record<string, number>;
  confidence: number;
  suspectedAt: number;
  confirmedAt: number | null;
  resolvedAt: number | null;
}

export interface WindowEntryState {
  id: string;
  at: number;
  channelId: string;
  platform: string;
  terms: string[];
  isAssigned: boolean;
}

/** Plain JSON: `JSON.parse(JSON.stringify(state))` restores to the same detector. */
export interface IncidentDetectorState {
  version: 1;
  /** Latest message time seen; null before the first message. */
  now: number | null;
  window: WindowEntryState[];
  baselineTerms: DecayedCountsState;
  baselinePairs: DecayedCountsState;
  incidents: IncidentRecordState[];
  /** Ids of incidents merged away → the incident that absorbed them. */
  mergedInto: Array<[string, string]>;
  lateMessages: number;
}
