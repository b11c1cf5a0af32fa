import { stemmer } from 'stemmer';

const CACHE_LIMIT = 1 << 16;
const cache = new Map<string, string>();

/**
 * The Porter stem of a lowercase word (the `stemmer` package), memoised: words repeat across messages and the
 * stemmer runs regular expressions. A pure memo of a pure function, so clearing it when full never changes a result.
 */
export function porterStem(word: string): string {
  let stem = cache.get(word);
  if (stem === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    stem = stemmer(word);
    cache.set(word, stem);
  }
  return stem;
}
