import type { WindowEntryState } from './types.js';

/** Only the first terms of a message form pairs: bounds the work per message (at most 66 pairs). */
const PAIR_TERMS = 12;

export interface WindowEntry {
  id: string;
  at: number;
  channelId: string;
  platform: string;
  terms: string[];
  isAssigned: boolean;
  /** Place in the window, counted from the first entry ever added: what a store orders its rows by. */
  seq: number;
}

/** Canonical key of an unordered pair of terms (terms never contain spaces). */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/**
 * Whether `pairKey` (as termPairs makes it) is one of the pairs of `terms`. Entries keep their terms, not their
 * pairs: up to 66 strings an entry, which were most of the memory of a full window (200,000 entries).
 */
export function hasPair(terms: readonly string[], key: string): boolean {
  const space = key.indexOf(' ');
  const a = key.slice(0, space);
  const b = key.slice(space + 1);
  const head = terms.slice(0, PAIR_TERMS);
  return a !== b && head.includes(a) && head.includes(b);
}

export function termPairs(terms: readonly string[]): string[] {
  const head = terms.slice(0, PAIR_TERMS).sort();
  const pairs: string[] = [];
  for (let i = 0; i < head.length; i++) {
    for (let j = i + 1; j < head.length; j++) pairs.push(`${head[i] as string} ${head[j] as string}`);
  }
  return pairs;
}

/**
 * Recent complaints in arrival order, with live counts of term pairs over the entries not yet
 * explained by an incident: the burst test looks only at what incidents do not already cover.
 */
export interface SlidingWindow {
  /** Adds an entry; `pairs` are its terms' pairs when the caller has them already. */
  add(entry: Omit<WindowEntry, 'seq'>, pairs?: readonly string[]): WindowEntry;
  has(id: string): boolean;
  /**
   * Removes entries older than `cutoff` (or beyond the size cap), oldest first, and returns the pairs of those no
   * incident explained (what the baseline learns from), with their times.
   */
  evict(cutoff: number, maxEntries: number): { at: number; terms: string[]; pairs: string[] }[];
  /** Marks an entry as explained by an incident and takes its pairs out of the counts. */
  assign(entry: WindowEntry): void;
  pairCount(key: string): number;
  unassignedCount(): number;
  size(): number;
  unassigned(): WindowEntry[];
  entries(): WindowEntry[];
  exportState(): WindowEntryState[];
  /** Changes since the last call, when journalled (else always empty): for a store that keeps the window as rows. */
  takeChanges(): WindowChanges;
  /** `seq` of the oldest entry still in the window (of the next one added when it is empty). */
  headSeq(): number;
}

/** A window entry as a store keeps it: in `seq` order, and kept after it left (`evicted`) until the baseline it fed is saved. */
export type StoredWindowEntry = WindowEntryState & { seq: number; evicted: boolean };

/**
 * What to write to a stored window: the entries added (as they are now, possibly already evicted or assigned), the
 * range of `seq` of entries stored before that have left since (eviction takes the oldest first, so they are
 * consecutive), and the `seq` of entries stored before that an incident now explains.
 */
export interface WindowChanges {
  added: StoredWindowEntry[];
  evicted: { from: number; to: number } | null;
  assigned: number[];
}

export interface SlidingWindowOptions {
  /** Keep the changes for takeChanges. */
  journal?: boolean;
  /** `seq` of the first entry of `state`; the entries after it are numbered on. Default 0. */
  firstSeq?: number;
}

export function createSlidingWindow(state: WindowEntryState[] = [], options: SlidingWindowOptions = {}): SlidingWindow {
  let entries: WindowEntry[] = [];
  let head = 0;
  const ids = new Set<string>();
  const pairCounts = new Map<string, number>();
  let unassigned = 0;
  let nextSeq = options.firstSeq ?? 0;
  const journal = options.journal === true;
  // Since the last takeChanges: entries added (by seq: they may be assigned or leave before it is taken), the seq
  // range of stored entries that left, and stored entries assigned.
  let added = new Map<number, WindowEntry>();
  let evictedFrom: number | null = null;
  let evictedTo = 0;
  let assigned: number[] = [];
  const evictedSeqs = new Set<number>();

  function count(entry: WindowEntry, delta: 1 | -1, pairs: readonly string[] = termPairs(entry.terms)): void {
    unassigned += delta;
    for (const key of pairs) {
      const next = (pairCounts.get(key) ?? 0) + delta;
      if (next <= 0) pairCounts.delete(key);
      else pairCounts.set(key, next);
    }
  }

  function add(input: Omit<WindowEntry, 'seq'>, pairs?: readonly string[]): WindowEntry {
    const entry: WindowEntry = { ...input, seq: nextSeq++ };
    entries.push(entry);
    ids.add(entry.id);
    if (!entry.isAssigned) count(entry, 1, pairs);
    return entry;
  }

  for (const saved of state) add({ id: saved.id, at: saved.at, channelId: saved.channelId, platform: saved.platform, terms: [...saved.terms], isAssigned: saved.isAssigned });

  return {
    add(input, pairs) {
      const entry = add(input, pairs);
      if (journal) added.set(entry.seq, entry);
      return entry;
    },
    has: (id) => ids.has(id),
    evict(cutoff, maxEntries) {
      const evicted: { at: number; terms: string[]; pairs: string[] }[] = [];
      while (head < entries.length) {
        const entry = entries[head] as WindowEntry;
        if (entry.at >= cutoff && entries.length - head <= maxEntries) break;
        head++;
        ids.delete(entry.id);
        if (!entry.isAssigned) {
          const pairs = termPairs(entry.terms);
          count(entry, -1, pairs);
          evicted.push({ at: entry.at, terms: entry.terms, pairs });
        }
        if (journal && added.has(entry.seq)) evictedSeqs.add(entry.seq);
        else if (journal) {
          evictedFrom ??= entry.seq;
          evictedTo = entry.seq;
        }
      }
      // Compact now and then so the array does not keep evicted entries alive.
      if (head > 1024 && head * 2 > entries.length) {
        entries = entries.slice(head);
        head = 0;
      }
      return evicted;
    },
    assign(entry) {
      if (entry.isAssigned) return;
      entry.isAssigned = true;
      count(entry, -1);
      if (journal && !added.has(entry.seq)) assigned.push(entry.seq);
    },
    pairCount: (key) => pairCounts.get(key) ?? 0,
    unassignedCount: () => unassigned,
    size: () => entries.length - head,
    unassigned: () => entries.slice(head).filter((entry) => !entry.isAssigned),
    entries: () => entries.slice(head),
    exportState: () =>
      entries.slice(head).map(({ id, at, channelId, platform, terms, isAssigned }) => ({ id, at, channelId, platform, terms: [...terms], isAssigned })),
    takeChanges() {
      const changes: WindowChanges = {
        added: [...added.values()].map(({ id, at, channelId, platform, terms, isAssigned, seq }) => ({ id, at, channelId, platform, terms: [...terms], isAssigned, seq, evicted: evictedSeqs.has(seq) })),
        evicted: evictedFrom === null ? null : { from: evictedFrom, to: evictedTo },
        assigned,
      };
      added = new Map();
      evictedSeqs.clear();
      evictedFrom = null;
      assigned = [];
      return changes;
    },
    headSeq: () => (head < entries.length ? (entries[head] as WindowEntry).seq : nextSeq),
  };
}
