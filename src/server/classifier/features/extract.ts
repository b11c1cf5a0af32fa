/** Tokens → one hashed sparse vector shared by every model, so a message is featurised once per batch. */
import { FNV_OFFSET, finalise, hashString, mixChar } from './hash.js';
import { getValenceLexicon } from './lexicon.js';
import { tokenize, type TokenizedText } from './tokenize.js';

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

function isWordLike(token: string): boolean {
  const c = token.charCodeAt(0);
  return (
    token !== '<url>' &&
    token !== '@user' &&
    !(c === 0x21 || c === 0x3f || c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a)
  );
}

/** Feature origins, decoded by nameOf: 2t is the word at token t, 2t+1 the bigram starting there, -(k+1) cue k. */
function cue(origins: number[], cues: string[], n: number, name: string, value: number): number {
  if (value <= 0 || n >= CAPACITY) return n;
  scratchHashes[n] = hashString(name, SEED_CUE);
  scratchValues[n] = Math.log1p(value);
  cues.push(name);
  origins.push(-cues.length);
  return n + 1;
}

export function extractFeatures(text: string, config: FeatureConfig = DEFAULT_FEATURES): FeatureVector {
  const tokenized = tokenize(typeof text === 'string' ? text : String(text));
  const { tokens, negated } = tokenized;
  const origins: number[] = [];
  const cues: string[] = [];
  const lexicon = getValenceLexicon();
  let positive = 0;
  let negative = 0;
  let n = 0;
  for (let i = 0; i < tokens.length && n < CAPACITY - 2; i++) {
    const token = tokens[i] as string;
    const isNeg = negated[i] === true;
    const valence = lexicon.get(token);
    if (valence !== undefined) {
      // VADER damps a negated word and flips it ("not good" is mildly negative).
      const v = isNeg ? -0.74 * valence : valence;
      if (v > 0) positive += v;
      else negative -= v;
    }
    scratchHashes[n] = hashString(token, isNeg ? SEED_NEG : SEED_WORD);
    scratchValues[n] = 1;
    origins.push(2 * i);
    n++;
    const next = tokens[i + 1];
    if (next !== undefined) {
      let h = mixChar(FNV_OFFSET, SEED_BIGRAM);
      for (let k = 0; k < token.length; k++) h = mixChar(h, token.charCodeAt(k));
      h = mixChar(h, 0x20);
      for (let k = 0; k < next.length; k++) h = mixChar(h, next.charCodeAt(k));
      scratchHashes[n] = finalise(h);
      scratchValues[n] = 1;
      origins.push(2 * i + 1);
      n++;
    }
  }
  if (config.boundaryBigrams && tokens.length > 0) {
    n = cue(origins, cues, n, `<s> ${tokens[0] as string}`, 1);
    n = cue(origins, cues, n, `${tokens[tokens.length - 1] as string} </s>`, 1);
  }
  n = cue(origins, cues, n, '[positive words]', positive);
  n = cue(origins, cues, n, '[negative words]', negative);
  n = cue(origins, cues, n, '[ALL CAPS]', tokenized.allCaps);
  n = cue(origins, cues, n, '[elongated]', tokenized.elongated);
  n = cue(origins, cues, n, '[!]', tokenized.exclamations);
  n = cue(origins, cues, n, '[?]', tokenized.questions);
  if (tokens.length === 0) n = cue(origins, cues, n, '[empty]', 1);
  const named = n;
  normalise(0, named, 1);

  const { charMin, charMax } = config;
  for (const token of tokens) {
    if (!isWordLike(token)) continue;
    const len = token.length + 2;
    for (let start = 0; start < len; start++) {
      let h = mixChar(FNV_OFFSET, SEED_CHAR);
      const end = Math.min(len, start + charMax);
      for (let j = start; j < end; j++) {
        const code = j === 0 || j === len - 1 ? 0x20 : token.charCodeAt(j - 1);
        h = mixChar(h, code);
        if (j - start + 1 >= charMin && n < CAPACITY) {
          scratchHashes[n] = finalise(h);
          scratchValues[n] = 1;
          n++;
        }
      }
    }
  }
  normalise(named, n, config.charWeight);
  const nameOf = (i: number): string => {
    const origin = origins[i] ?? -1e9;
    if (origin < 0) return cues[-origin - 1] ?? '';
    const t = origin >> 1;
    const token = tokens[t] ?? '';
    if (origin & 1) return `${token} ${tokens[t + 1] ?? ''}`;
    return negated[t] ? `not ${token}` : token;
  };
  return { hashes: scratchHashes.slice(0, n), values: scratchValues.slice(0, n), named, nameOf, tokenized };
}

function normalise(from: number, to: number, norm: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (scratchValues[i] as number) ** 2;
  if (sum === 0) return;
  const scale = norm / Math.sqrt(sum);
  for (let i = from; i < to; i++) scratchValues[i] = (scratchValues[i] as number) * scale;
}
