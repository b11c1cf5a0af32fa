/**
 * Exponentially decayed counts of keys (terms, term pairs) and of documents, so a topic's
 * baseline reflects the last hours more than last week. Values are stored pre-scaled by
 * 2^((at - refAt) / halfLife) so an update touches only the keys it adds; ratios of two
 * stored values need no rescaling at all.
 */
export interface DecayedCountsState {
  /** Null until the first document (JSON has no NaN). */
  refAt: number | null;
  total: number;
  keys: Array<[string, number]>;
}

export interface DecayedCounts {
  /** Adds one document observed at `at` holding `keys`. */
  add(at: number, keys: readonly string[]): void;
  /** Stored (scaled) weight of a key, 0 when unseen. */
  stored(key: string): number;
  /** Stored (scaled) number of documents. */
  storedTotal(): number;
  /** The scale a count of 1 has at `at`: multiply pseudo-counts by it before mixing with stored values. */
  scaleAt(at: number): number;
  /** Decayed count of documents at `at`, in plain units. */
  totalAt(at: number): number;
  size(): number;
  exportState(): DecayedCountsState;
}

// Rebase before 2^exponent grows large enough to lose precision in sums.
const MAX_EXPONENT = 24;

export function createDecayedCounts(
  opts: { halfLifeMs: number; maxKeys: number },
  state?: DecayedCountsState,
): DecayedCounts {
  const { halfLifeMs, maxKeys } = opts;
  let refAt = state?.refAt ?? Number.NaN;
  let total = state?.total ?? 0;
  const counts = new Map<string, number>(state?.keys ?? []);

  const scaleAt = (at: number): number => (Number.isNaN(refAt) ? 1 : 2 ** ((at - refAt) / halfLifeMs));

  function rebase(at: number): void {
    const factor = 1 / scaleAt(at);
    total *= factor;
    for (const [key, value] of counts) counts.set(key, value * factor);
    refAt = at;
  }

  // Forget the faintest keys first; ties broken by key so the result never depends on history order.
  function prune(): void {
    const keep = Math.floor(maxKeys * 0.8);
    const entries = [...counts.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    for (let i = 0; i < entries.length - keep; i++) counts.delete((entries[i] as [string, number])[0]);
  }

  return {
    add(at, keys) {
      if (Number.isNaN(refAt)) refAt = at;
      if ((at - refAt) / halfLifeMs > MAX_EXPONENT) rebase(at);
      const weight = scaleAt(at);
      total += weight;
      for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + weight);
      if (counts.size > maxKeys) prune();
    },
    stored: (key) => counts.get(key) ?? 0,
    storedTotal: () => total,
    scaleAt,
    totalAt: (at) => total / scaleAt(at),
    size: () => counts.size,
    exportState: () => ({ refAt: Number.isNaN(refAt) ? null : refAt, total, keys: [...counts.entries()] }),
  };
}
