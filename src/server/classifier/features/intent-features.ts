/**
 * Features of the intent learner, in one model's bucket space: words, word bigrams, unordered word pairs up to four
 * apart, the first and last word, and character 3–5-grams inside word boundaries. Counts are merged per bucket, then
 * weighted TF-IDF style (1 + ln tf, times the model's idf) and L2-normalised per group (words, characters).
 * Pairs catch what intents hinge on but bigrams miss ("card … arrived", "transfer … pending").
 */
import { porterStem } from '../../platform/stem.js';
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
  /**
   * Pairs are made of stems, so they generalise across word forms: `true` is a light suffix stripper ("arrived",
   * "arriving" → "arriv"), `'porter'` the Porter stemmer of the `stemmer` package ("charges", "charged" → "charg").
   */
  stem?: boolean | 'porter';
}

/**
 * The default taxonomy's features (the shipped model), chosen by 5-fold cross-validation on the Banking77 train split
 * (see classifier README).
 */
export const INTENT_FEATURES: IntentFeatureConfig = {
  charMin: 3,
  charMax: 5,
  pairWindow: 4,
  charWeight: 1,
  stem: true,
};

/**
 * The intent learner's features for a company's own intents and the benchmarks: pairs of Porter stems, chosen over
 * the light stems by 5-fold CV on CLINC150's train + oos_train (see classifier README). The default taxonomy keeps
 * INTENT_FEATURES: its model ships byte for byte and is scored on every message.
 */
export const CUSTOM_INTENT_FEATURES: IntentFeatureConfig = { ...INTENT_FEATURES, stem: 'porter' };

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
const scratchOrigins = new Int32Array(CAPACITY);
const scratchSeconds = new Int32Array(CAPACITY);
const scratchWords = new Int32Array(CAPACITY);
// Light stems of the words of one text, as code units in one buffer: token t's stem is stemChars[stemStarts[t] …].
const stemChars = new Uint16Array(1 << 16);
// One token's code units between boundary spaces (a capped text's longest token fits).
const tokenCodes = new Uint16Array(8192);
const stemStarts = new Int32Array(CAPACITY);
const stemLengths = new Int32Array(CAPACITY);
// FNV state after the pair seed and the stem: every pair that starts with this stem continues from it.
const stemStates = new Int32Array(CAPACITY);

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

/** Writes the Porter stem of `token` at `at` in stemChars, with its pair hash state; returns the end. */
function writePorterStem(token: string, t: number, at: number): number {
  const stemmed = porterStem(token);
  stemStarts[t] = at;
  let h = mix(FNV_OFFSET, SEED_PAIR);
  for (let k = 0; k < stemmed.length; k++) {
    const code = stemmed.charCodeAt(k);
    stemChars[at++] = code;
    h = mix(h, code);
  }
  stemStates[t] = h;
  stemLengths[t] = stemmed.length;
  return at;
}

/** Writes `stem(token)` (or the token itself when not stemming) at `at` in stemChars; returns the end. */
function writeStem(token: string, t: number, at: number, stemming: boolean): number {
  const n = token.length;
  let keep = n;
  let extra = -1;
  if (stemming && n > 3) {
    const last = token.charCodeAt(n - 1);
    const prev = token.charCodeAt(n - 2);
    if (n > 5 && last === 0x67 && prev === 0x6e && token.charCodeAt(n - 3) === 0x69)
      keep = n - 3; // -ing
    else if (n > 4 && last === 0x64 && prev === 0x65)
      keep = n - 2; // -ed
    else if (n > 4 && last === 0x79 && prev === 0x6c)
      keep = n - 2; // -ly
    else if (n > 4 && last === 0x73 && prev === 0x65 && token.charCodeAt(n - 3) === 0x69) {
      keep = n - 3; // -ies → -y
      extra = 0x79;
    } else if (last === 0x73 && prev !== 0x73 && prev !== 0x75)
      keep = n - 1; // -s, not -ss / -us
    else if (n > 4 && last === 0x65) keep = n - 1; // -e
  }
  stemStarts[t] = at;
  let h = mix(FNV_OFFSET, SEED_PAIR);
  for (let k = 0; k < keep; k++) {
    const code = token.charCodeAt(k);
    stemChars[at++] = code;
    h = mix(h, code);
  }
  if (extra >= 0) {
    stemChars[at++] = extra;
    h = mix(h, extra);
  }
  stemStates[t] = h;
  stemLengths[t] = at - (stemStarts[t] as number);
  return at;
}

/** Whether stem s sorts before stem t, as `<` orders the strings (UTF-16 code units). */
function stemBefore(s: number, t: number): boolean {
  const ls = stemLengths[s] as number;
  const lt = stemLengths[t] as number;
  const as = stemStarts[s] as number;
  const at = stemStarts[t] as number;
  const n = ls < lt ? ls : lt;
  for (let k = 0; k < n; k++) {
    const a = stemChars[as + k] as number;
    const b = stemChars[at + k] as number;
    if (a !== b) return a < b;
  }
  return ls < lt;
}

/** hashTwo(SEED_PAIR, stem s, '|', stem t), from s's hash state saved by writeStem and t's code units. */
function hashStemPair(s: number, t: number): number {
  let h = mix(stemStates[s] as number, 0x7c);
  for (let k = stemStarts[t] as number, end = k + (stemLengths[t] as number); k < end; k++)
    h = mix(h, stemChars[k] as number);
  return fin(h);
}

function isWord(token: string): boolean {
  const c = token.charCodeAt(0);
  return !(c === 0x21 || c === 0x3f || c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a);
}

/**
 * Counts bucket `b` at position n of the scratch arrays, or adds one to it where it already is; returns the new
 * feature count (n when merged). `slots` is the table size minus one.
 */
function addBucket(b: number, slots: number, n: number): number {
  let slot = b & slots;
  for (;;) {
    const at = table[slot] as number;
    if (at === 0) break;
    if (scratchBuckets[at - 1] === b) {
      scratchCounts[at - 1] = (scratchCounts[at - 1] as number) + 1;
      return n;
    }
    slot = (slot + 1) & slots;
  }
  if (n >= CAPACITY) return n;
  table[slot] = n + 1;
  scratchSlots[n] = slot;
  scratchBuckets[n] = b;
  scratchCounts[n] = 1;
  return n + 1;
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
  const count = Math.min(tokens.length, CAPACITY);
  let chars = 0;
  for (let i = 0; i < count; i++) chars += (tokens[i] as string).length + 2;
  // An upper bound of the features of this text, so the table stays at most half full.
  const bound = Math.min(
    CAPACITY,
    count * (config.pairWindow + 3) + chars * (config.charMax - config.charMin + 1) + 2,
  );
  let size = 64;
  while (size < 2 * bound && size < TABLE_MAX) size <<= 1;
  const slots = size - 1;
  const origins = scratchOrigins;
  const seconds = scratchSeconds;
  let n = 0;
  let m = 0;
  let words = 0;
  for (let i = 0; i < count; i++) {
    const token = tokens[i] as string;
    m = addBucket(hashToken(SEED_WORD, token) & mask, slots, n);
    if (m > n) {
      origins[n] = KIND_WORD * SHIFT + i;
      seconds[n] = 0;
      n = m;
    }
    if (i + 1 < count) {
      m = addBucket(hashTwo(SEED_BIGRAM, token, 0x20, tokens[i + 1] as string) & mask, slots, n);
      if (m > n) {
        origins[n] = KIND_BIGRAM * SHIFT + i;
        seconds[n] = 0;
        n = m;
      }
    }
    if (isWord(token)) scratchWords[words++] = i;
  }
  if (config.pairWindow > 0) {
    const stemming = config.stem === true;
    const porter = config.stem === 'porter';
    let at = 0;
    for (let a = 0; a < words; a++) {
      const i = scratchWords[a] as number;
      const token = tokens[i] as string;
      // The buffer holds any capped text's words; past it (never for a capped text) pairs stop. A stem is never
      // longer than its word plus one.
      if (at + token.length + 1 > stemChars.length) {
        words = a;
        break;
      }
      at = porter ? writePorterStem(token, i, at) : writeStem(token, i, at, stemming);
    }
    for (let a = 0; a < words; a++) {
      const i = scratchWords[a] as number;
      for (let b = a + 1; b < words && b <= a + config.pairWindow; b++) {
        const j = scratchWords[b] as number;
        const hash = stemBefore(i, j) ? hashStemPair(i, j) : hashStemPair(j, i);
        m = addBucket(hash & mask, slots, n);
        if (m > n) {
          origins[n] = KIND_PAIR * SHIFT + i;
          seconds[n] = j;
          n = m;
        }
      }
    }
  }
  if (count > 0) {
    m = addBucket(hashToken(SEED_START, tokens[0] as string) & mask, slots, n);
    if (m > n) {
      origins[n] = KIND_START * SHIFT;
      seconds[n] = 0;
      n = m;
    }
    m = addBucket(hashToken(SEED_END, tokens[count - 1] as string) & mask, slots, n);
    if (m > n) {
      origins[n] = KIND_END * SHIFT + count - 1;
      seconds[n] = 0;
      n = m;
    }
  }
  const named = n;
  const { charMin, charMax } = config;
  const seedState = mix(FNV_OFFSET, SEED_CHAR);
  const codes = tokenCodes;
  for (let t = 0; t < count; t++) {
    const token = tokens[t] as string;
    // The token between two spaces, as code units: n-grams inside word boundaries read it without branches.
    const len = token.length + 2;
    if (len > codes.length) continue;
    codes[0] = 0x20;
    for (let k = 0; k < token.length; k++) codes[k + 1] = token.charCodeAt(k);
    codes[len - 1] = 0x20;
    for (let start = 0; start + charMin <= len; start++) {
      let h = seedState;
      const end = Math.min(len, start + charMax);
      for (let j = start; j < end; j++) {
        h = mix(h, codes[j] as number);
        if (j - start + 1 >= charMin) n = addBucket(fin(h) & mask, slots, n);
      }
    }
  }
  for (let i = 0; i < n; i++) table[scratchSlots[i] as number] = 0;
  // Transient counts read the scratch origins (valid until the next call, like the arrays); kept ones copy them.
  const ownOrigins = transient ? origins : origins.slice(0, named);
  const ownSeconds = transient ? seconds : seconds.slice(0, named);
  const nameOf = (i: number): string => {
    if (!(i >= 0 && i < named)) return '';
    const origin = ownOrigins[i] as number;
    const kind = Math.floor(origin / SHIFT);
    const t = origin % SHIFT;
    const token = tokens[t] ?? '';
    if (kind === KIND_BIGRAM) return `${token} ${tokens[t + 1] ?? ''}`;
    if (kind === KIND_PAIR) return `${token} … ${tokens[ownSeconds[i] as number] ?? ''}`;
    if (kind === KIND_START) return `<s> ${token}`;
    if (kind === KIND_END) return `${token} </s>`;
    return token;
  };
  return {
    buckets: transient ? scratchBuckets.subarray(0, n) : scratchBuckets.slice(0, n),
    counts: transient ? scratchCounts.subarray(0, n) : scratchCounts.slice(0, n),
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
