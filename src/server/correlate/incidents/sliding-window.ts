import type { WindowEntryState } from './types.js';

/** Only the first terms of a message form pairs: bounds the work per message (at most 66 pairs). */
const PAIR_TERMS = 12;

export interface WindowEntry {
  id: string;
  at: number;
  channelId: string;
  platform: string;
  terms: string[];
  pairs: string[];
  isAssigned: boolean;
}

/** Canonical key of an unordered pair of terms (terms never contain spaces). */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
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
  add(entry: Omit<WindowEntry, 'pairs'>): WindowEntry;
  has(id: string): boolean;
  /** Removes and returns entries older than `cutoff` (or beyond the size cap), oldest first. */
  evict(cutoff: number, maxEntries: number): WindowEntry[];
  /** Marks an entry as explained by an incident and takes its pairs out of the counts. */
  assign(entry: WindowEntry): void;
  pairCount(key: string): number;
  unassignedCount(): number;
  size(): number;
  unassigned(): WindowEntry[];
  entries(): WindowEntry[];
  exportState(): WindowEntryState[];
}

export function createSlidingWindow(state: WindowEntryState[] = []): SlidingWindow {
  let entries: WindowEntry[] = [];
  let head = 0;
  const ids = new Set<string>();
  const pairCounts = new Map<string, number>();
  let unassigned = 0;

  function count(entry: WindowEntry, delta: 1 | -1): void {
    unassigned += delta;
    for (const key of entry.pairs) {
      const next = (pairCounts.get(key) ?? 0) + delta;
      if (next <= 0) pairCounts.delete(key);
      else pairCounts.set(key, next);
    }
  }

  function add(input: Omit<WindowEntry, 'pairs'>): WindowEntry {
    const entry: WindowEntry = { ...input, pairs: termPairs(input.terms) };
    entries.push(entry);
    ids.add(entry.id);
    if (!entry.isAssigned) count(entry, 1);
    return entry;
  }

  for (const saved of state) add({ ...saved, terms: [...saved.terms] });

  return {
    add,
    has: (id) => ids.has(id),
    evict(cutoff, maxEntries) {
      const evicted: WindowEntry[] = [];
      while (head < entries.length) {
        const entry = entries[head] as WindowEntry;
        if (entry.at >= cutoff && entries.length - head <= maxEntries) break;
        head++;
        ids.delete(entry.id);
        if (!entry.isAssigned) count(entry, -1);
        evicted.push(entry);
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
    },
    pairCount: (key) => pairCounts.get(key) ?? 0,
    unassignedCount: () => unassigned,
    size: () => entries.length - head,
    unassigned: () => entries.slice(head).filter((entry) => !entry.isAssigned),
    entries: () => entries.slice(head),
    exportState: () =>
      entries.slice(head).map(({ pairs: _pairs, ...entry }) => ({ ...entry, terms: [...entry.terms] })),
  };
}
