/**
 * Features of the intent learner, in one model's bucket space: words, word bigrams, unordered word pairs up to four
 * apart, the first and last word, and character 3–5-grams inside word boundaries. Counts are merged per bucket, then
 * weighted TF-IDF style (1 + ln tf, times the model's idf) and L2-normalised per group (words, characters).
 * Pairs catch what intents hinge on but bigrams miss ("card … arrived", "transfer … pending").
 */
import type { FeatureVector } from './extract.js';
import { FNV_OFFSET, finalise, mixChar } from './hash.js';
import type { TokenizedText } from './tokenize.js';

// Local bindings: the hot loops call these per character, and a direct reference is the cheapest call.
const mix = mixChar;
const fin = finalise;

export interface IntentFeatureConfig {
  charMin: number;
  charMax: number;
  /** Words up to this many positions apart form an unordered pair feature (0: none). */
  pairWindow: number;
  /** L2 norm of the character group; the word group has norm 1. */
  charWeight: number;
  /** Pairs are made of light stems ("arrived", "arriving" → "arriv"), so they generalise across word forms. */
  stem?: boolean;
}

/** Chosen by 5-fold cross-validation on the Banking77 train split (see classifier README). */
export const INTENT_FEATURES: IntentFeatureConfig = {
  charMin: 3,
  charMax: 5,
  pairWindow: 4,
  charWeight: 1,
  stem: true,
};

/** Bucket counts of one text, before weighting. `named` leading entries are readable (the word group). */
export interface IntentCounts {
  buckets: Uint32Array;
  counts: Float32Array;
  named: number;
  nameOf(i: number): string;
  tokenized: TokenizedText;
}

const SEED_WORD = 11;
const SEED_BIGRAM = 12;
const SEED_PAIR = 13;
const SEED_START = 14;
const SEED_END = 15;
const SEED_CHAR = 16;
const CAPACITY = 1 << 16;

/**
 * Scratch shared by every text: a small open-addressing table (bucket → position) sized to the text, so merging
 * repeated features touches a few kB rather than a table the size of the hash space.
 */
const TABLE_MAX = 1 << 17;
const table = new Int32Array(TABLE_MAX);
const scratchSlots = new Int32Array(CAPACITY);
const scratchBuckets = new Uint32Array(CAPACITY);
const scratchCounts = new Float32Array(CAPACITY);
const scratchValues = new Float32Array(CAPACITY);

function hashToken(seed: number, token: string): number {
  let h = mix(FNV_OFFSET, seed);
  for (let k = 0; k < token.length; k++) h = mix(h, token.charCodeAt(k));
  return fin(h);
}

function hashTwo(seed: number, a: string, sep: number, b: string): number {
  let h = mix(FNV_OFFSET, seed);
  for (let k = 0; k < a.length; k++) h = mix(h, a.charCodeAt(k));
  h = mix(h, sep);
  for (let k = 0; k < b.length; k++) h = mix(h, b.charCodeAt(k));
  return fin(h);
}

/** A light suffix stripper for English: enough to join inflected forms in pair features. */
export function stem(token: string): string {
  const n = token.length;
  if (n > 5 && token.endsWith('ing')) return token.slice(0, -3);
  if (n > 4 && token.endsWith('ed')) return token.slice(0, -2);
  if (n > 4 && token.endsWith('ly')) return token.slice(0, -2);
  if (n > 4 && token.endsWith('ies')) return token.slice(0, -3) + 'y';
  if (n > 3 && token.endsWith('s') && !token.endsWith('ss') && !token.endsWith('us'))
    return token.slice(0, -1);
  if (n > 4 && token.endsWith('e')) return token.slice(0, -1);
  return token;
}

function isWord(token: string): boolean {
  const c = token.charCodeAt(0);
  return !(c === 0x21 || c === 0x3f || c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a);
}

// Origins of readable features: kind * 2^20 + first token index; pairs keep their second token apart.
const KIND_WORD = 0;
const KIND_BIGRAM = 1;
const KIND_PAIR = 2;
const KIND_START = 3;
const KIND_END = 4;
const SHIFT = 1 << 20;

/**
 * Counts the features of a tokenised text in a `dimBits` hash space. With `transient` the arrays are views of a
 * shared scratch buffer, valid until the next call for the same space.
 */
export function countIntentFeatures(
  tokenized: TokenizedText,
  dimBits: number,
  config: IntentFeatureConfig = INTENT_FEATURES,
  transient = false,
): IntentCounts {
  const mask = (1 << dimBits) - 1;
  const { tokens } = tokenized;
  let chars = 0;
  for (const token of tokens) chars += token.length + 2;
  // An upper bound of the features of this text, so the table stays at most half full.
  const bound = Math.min(
    CAPACITY,
    tokens.length * (config.pairWindow + 3) + chars * (config.charMax - config.charMin + 1) + 2,
  );
  let size = 64;
  while (size < 2 * bound && size < TABLE_MAX) size <<= 1;
  const slots = size - 1;
  const buckets = scratchBuckets;
  const counts = scratchCounts;
  const origins: number[] = [];
  const pairSecond: number[] = [];
  let n = 0;
  const add = (hash: number, origin: number, second: number): void => {
    const b = hash & mask;
    let slot = b & slots;
    for (;;) {
      const at = table[slot] as number;
      if (at === 0) break;
      if (buckets[at - 1] === b) {
        counts[at - 1] = (counts[at - 1] as number) + 1;
        return;
      }
      slot = (slot + 1) & slots;
    }
    if (n >= CAPACITY) return;
    table[slot] = n + 1;
    scratchSlots[n] = slot;
    buckets[n] = b;
    counts[n] = 1;
    if (origin >= 0) {
      origins.push(origin);
      pairSecond.push(second);
    }
    n++;
  };
  const words: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    add(hashToken(SEED_WORD, token), KIND_WORD * SHIFT + i, 0);
    const next = tokens[i + 1];
    if (next !== undefined) add(hashTwo(SEED_BIGRAM, token, 0x20, next), KIND_BIGRAM * SHIFT + i, 0);
    if (isWord(token)) words.push(i);
  }
  if (config.pairWindow > 0) {
    const forms = config.stem ? tokens.map(stem) : tokens;
    for (let a = 0; a < words.length; a++) {
      const i = words[a] as number;
      for (let b = a + 1; b < words.length && b <= a + config.pairWindow; b++) {
        const j = words[b] as number;
        const x = forms[i] as string;
        const y = forms[j] as string;
        add(
          x < y ? hashTwo(SEED_PAIR, x, 0x7c, y) : hashTwo(SEED_PAIR, y, 0x7c, x),
          KIND_PAIR * SHIFT + i,
          j,
        );
      }
    }
  }
  if (tokens.length > 0) {
    add(hashToken(SEED_START, tokens[0] as string), KIND_START * SHIFT, 0);
    add(hashToken(SEED_END, tokens[tokens.length - 1] as string), KIND_END * SHIFT + tokens.length - 1, 0);
  }
  const named = n;
  const { charMin, charMax } = config;
  for (const token of tokens) {
    const len = token.length + 2;
    for (let start = 0; start + charMin <= len; start++) {
      let h = mix(FNV_OFFSET, SEED_CHAR);
      const end = Math.min(len, start + charMax);
      for (let j = start; j < end; j++) {
        h = mix(h, j === 0 || j === len - 1 ? 0x20 : token.charCodeAt(j - 1));
        if (j - start + 1 >= charMin) add(fin(h), -1, 0);
      }
    }
  }
  for (let i = 0; i < n; i++) table[scratchSlots[i] as number] = 0;
  const nameOf = (i: number): string => {
    const origin = origins[i];
    if (origin === undefined) return '';
    const kind = Math.floor(origin / SHIFT);
    const t = origin % SHIFT;
    const token = tokens[t] ?? '';
    if (kind === KIND_BIGRAM) return `${token} ${tokens[t + 1] ?? ''}`;
    if (kind === KIND_PAIR) return `${token} … ${tokens[pairSecond[i] ?? 0] ?? ''}`;
    if (kind === KIND_START) return `<s> ${token}`;
    if (kind === KIND_END) return `${token} </s>`;
    return token;
  };
  return {
    buckets: transient ? buckets.subarray(0, n) : buckets.slice(0, n),
    counts: transient ? counts.subarray(0, n) : counts.slice(0, n),
    named,
    nameOf,
    tokenized,
  };
}

/** Weighs counts into a feature vector: (1 + ln tf) · idf, each group L2-normalised. */
export function weighIntentFeatures(
  counted: IntentCounts,
  idf: Float32Array | undefined,
  dimBits: number,
  config: IntentFeatureConfig = INTENT_FEATURES,
  transient = false,
): FeatureVector {
  const n = counted.buckets.length;
  const values = transient ? scratchValues.subarray(0, n) : new Float32Array(n);
  const mask = (1 << dimBits) - 1;
  for (let i = 0; i < n; i++) {
    const w = idf ? (idf[(counted.buckets[i] as number) & mask] as number) : 1;
    values[i] = sublinear(counted.counts[i] as number) * w;
  }
  normalise(values, 0, counted.named, 1);
  normalise(values, counted.named, n, config.charWeight);
  return {
    hashes: counted.buckets,
    values,
    named: counted.named,
    nameOf: counted.nameOf,
    tokenized: counted.tokenized,
  };
}

/** 1 + ln tf: a word said twice counts a bit more than once, not twice as much. */
export function sublinear(tf: number): number {
  return tf === 1 ? 1 : 1 + Math.log(tf);
}

export function normalise(values: Float32Array, from: number, to: number, norm: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (values[i] as number) ** 2;
  if (sum === 0) return;
  const scale = norm / Math.sqrt(sum);
  for (let i = from; i < to; i++) values[i] = (values[i] as number) * scale;
}

/** Smoothed inverse document frequency per bucket: ln((1 + N) / (1 + df)) + 1, from the training texts. */
export function inverseDocumentFrequency(rows: readonly IntentCounts[], dimBits: number): Float32Array {
  const df = new Float32Array(1 << dimBits);
  for (const row of rows) for (const b of row.buckets) df[b] = (df[b] as number) + 1;
  const idf = new Float32Array(1 << dimBits);
  const total = rows.length;
  for (let b = 0; b < idf.length; b++) idf[b] = Math.log((1 + total) / (1 + (df[b] as number))) + 1;
  return idf;
}
