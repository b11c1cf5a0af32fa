/** Tokens → one hashed sparse vector shared by every model, so a message is featurised once per batch. */
import { FNV_OFFSET, finalise, hashString, mixChar } from './hash.js';
import { getValenceLexicon, valenceOf } from './lexicon.js';
import { tokenize, type TokenizedText } from './tokenize.js';

// Local bindings: the hot loops call these per character, and a direct reference is the cheapest call.
const mix = mixChar;
const fin = finalise;

export interface FeatureConfig {
  /** Shortest and longest character n-gram taken inside word boundaries. */
  charMin: number;
  charMax: number;
  /** L2 norm given to the character group; the word group always has norm 1. */
  charWeight: number;
  /** Adds bigrams with the start and end of the text ("<s> where", "arrived </s>"): questions are told apart by how they open. */
  boundaryBigrams: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = {
  charMin: 3,
  charMax: 4,
  charWeight: 0.7,
  boundaryBigrams: true,
};

export interface FeatureVector {
  /** Raw 32-bit hashes; each model keeps the low bits it was trained with. */
  hashes: Uint32Array;
  values: Float32Array;
  /** How many leading features are readable (words, bigrams, cues); the rest are character n-grams. */
  named: number;
  /** Readable name of feature `i < named`, built on demand because most are never shown. */
  nameOf(i: number): string;
  tokenized: TokenizedText;
}

const SEED_WORD = 1;
const SEED_NEG = 2;
const SEED_BIGRAM = 3;
const SEED_CHAR = 4;
const SEED_CUE = 5;
const CAPACITY = 1 << 16;
const scratchHashes = new Uint32Array(CAPACITY);
const scratchValues = new Float32Array(CAPACITY);
const scratchOrigins = new Int32Array(CAPACITY);
// One token's code units between boundary spaces (a capped text's longest token fits).
const tokenCodes = new Uint16Array(8192);

function isWordLike(token: string): boolean {
  const c = token.charCodeAt(0);
  return (
    token !== '<url>' &&
    token !== '@user' &&
    !(c === 0x21 || c === 0x3f || c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a)
  );
}

/** Fixed cue features; their hashes are computed once. */
const CUE_NAMES = [
  '[positive words]',
  '[negative words]',
  '[ALL CAPS]',
  '[elongated]',
  '[!]',
  '[?]',
  '[empty]',
] as const;
const CUE_HASHES = CUE_NAMES.map((name) => hashString(name, SEED_CUE));
const ORIGIN_START = -1000;
const ORIGIN_END = -1001;

/** Feature origins, decoded by nameOf: 2t is the word at token t, 2t+1 the bigram starting there, -(k+1) cue k. */
function cue(n: number, k: number, value: number): number {
  if (value <= 0 || n >= CAPACITY) return n;
  scratchHashes[n] = CUE_HASHES[k] as number;
  scratchValues[n] = Math.log1p(value);
  scratchOrigins[n] = -(k + 1);
  return n + 1;
}

/** Hash of a boundary bigram ("<s> word" / "word </s>") without building its string. */
function boundaryHash(token: string, atStart: boolean): number {
  let h = mix(FNV_OFFSET, SEED_BIGRAM);
  h = mix(h, atStart ? 0x02 : 0x03);
  for (let k = 0; k < token.length; k++) h = mix(h, token.charCodeAt(k));
  return fin(h);
}

/**
 * Featurises one text. With `transient`, the arrays are views of a shared scratch buffer, valid only until the next
 * call: the classifier uses them at once and so skips two allocations per message; training keeps copies.
 */
export function extractFeatures(
  text: string,
  config: FeatureConfig = DEFAULT_FEATURES,
  transient = false,
): FeatureVector {
  const tokenized = tokenize(typeof text === 'string' ? text : String(text));
  const { tokens, negated } = tokenized;
  const origins = scratchOrigins;
  // Builds the lexicon's lookup table on first use.
  getValenceLexicon();
  let positive = 0;
  let negative = 0;
  let n = 0;
  for (let i = 0; i < tokens.length && n < CAPACITY - 2; i++) {
    const token = tokens[i] as string;
    const isNeg = negated[i] === true;
    const valence = valenceOf(token);
    if (valence !== 0) {
      // VADER damps a negated word and flips it ("not good" is mildly negative).
      const v = isNeg ? -0.74 * valence : valence;
      if (v > 0) positive += v;
      else negative -= v;
    }
    scratchHashes[n] = hashString(token, isNeg ? SEED_NEG : SEED_WORD);
    scratchValues[n] = 1;
    origins[n] = 2 * i;
    n++;
    const next = tokens[i + 1];
    if (next !== undefined) {
      let h = mix(FNV_OFFSET, SEED_BIGRAM);
      for (let k = 0; k < token.length; k++) h = mix(h, token.charCodeAt(k));
      h = mix(h, 0x20);
      for (let k = 0; k < next.length; k++) h = mix(h, next.charCodeAt(k));
      scratchHashes[n] = fin(h);
      scratchValues[n] = 1;
      origins[n] = 2 * i + 1;
      n++;
    }
  }
  if (config.boundaryBigrams && tokens.length > 0 && n < CAPACITY - 2) {
    scratchHashes[n] = boundaryHash(tokens[0] as string, true);
    scratchValues[n] = Math.LN2;
    origins[n++] = ORIGIN_START;
    scratchHashes[n] = boundaryHash(tokens[tokens.length - 1] as string, false);
    scratchValues[n] = Math.LN2;
    origins[n++] = ORIGIN_END;
  }
  n = cue(n, 0, positive);
  n = cue(n, 1, negative);
  n = cue(n, 2, tokenized.allCaps);
  n = cue(n, 3, tokenized.elongated);
  n = cue(n, 4, tokenized.exclamations);
  n = cue(n, 5, tokenized.questions);
  if (tokens.length === 0) n = cue(n, 6, 1);
  const named = n;
  normalise(0, named, 1);

  const { charMin, charMax } = config;
  const seedState = mix(FNV_OFFSET, SEED_CHAR);
  const codes = tokenCodes;
  for (const token of tokens) {
    // Words under three characters add only n-grams that duplicate the word feature itself.
    if (token.length < 3 || !isWordLike(token)) continue;
    // The token between two spaces, as code units: the n-gram loop reads it without a branch per char.
    const len = token.length + 2;
    if (len > codes.length) continue;
    codes[0] = 0x20;
    for (let k = 0; k < token.length; k++) codes[k + 1] = token.charCodeAt(k);
    codes[len - 1] = 0x20;
    for (let start = 0; start < len; start++) {
      let h = seedState;
      const end = Math.min(len, start + charMax);
      for (let j = start; j < end; j++) {
        h = mix(h, codes[j] as number);
        if (j - start + 1 >= charMin && n < CAPACITY) {
          scratchHashes[n] = fin(h);
          scratchValues[n] = 1;
          n++;
        }
      }
    }
  }
  normalise(named, n, config.charWeight);
  // Transient vectors read the scratch origins (valid until the next call, like their arrays); kept ones copy them.
  const ownOrigins = transient ? origins : origins.slice(0, named);
  const nameOf = (i: number): string => {
    const origin = i >= 0 && i < named ? (ownOrigins[i] as number) : -1e9;
    if (origin === ORIGIN_START) return `<s> ${tokens[0] ?? ''}`;
    if (origin === ORIGIN_END) return `${tokens[tokens.length - 1] ?? ''} </s>`;
    if (origin < 0) return CUE_NAMES[-origin - 1] ?? '';
    const t = origin >> 1;
    const token = tokens[t] ?? '';
    if (origin & 1) return `${token} ${tokens[t + 1] ?? ''}`;
    return negated[t] ? `not ${token}` : token;
  };
  const hashes = transient ? scratchHashes.subarray(0, n) : scratchHashes.slice(0, n);
  const values = transient ? scratchValues.subarray(0, n) : scratchValues.slice(0, n);
  return { hashes, values, named, nameOf, tokenized };
}

function normalise(from: number, to: number, norm: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (scratchValues[i] as number) ** 2;
  if (sum === 0) return;
  const scale = norm / Math.sqrt(sum);
  for (let i = from; i < to; i++) scratchValues[i] = (scratchValues[i] as number) * scale;
}
