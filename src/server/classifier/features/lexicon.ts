/** VADER's valence lexicon (Apache-2.0, shipped in the vader-sentiment package) as prior knowledge for the sentiment model. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { hashString } from './hash.js';

let lexicon: Map<string, number> | undefined;

/**
 * The same words in an open-addressing table keyed by their hash: a lookup costs a hash of the token and a probe in
 * 64 kB, where Map.get hashed a fresh string and chased pointers through a larger table. Keys are compared exactly.
 */
const SEED_LEXICON = 0x4c;
let slots = 0;
let tableHashes = new Uint32Array(0);
let tableValues = new Float64Array(0);
let tableKeys: string[] = [];
// One bit per value of a hash's top 16 bits: 8 kB that stay in L1 and turn away most tokens before the table.
const present = new Int32Array(1 << 11);

function buildTable(words: Map<string, number>): void {
  let size = 16;
  while (size < 2 * words.size) size <<= 1;
  slots = size - 1;
  tableHashes = new Uint32Array(size);
  tableValues = new Float64Array(size);
  tableKeys = new Array<string>(size).fill('');
  for (const [word, value] of words) {
    const h = hashString(word, SEED_LEXICON) | 1;
    const top = h >>> 16;
    present[top >>> 5] = (present[top >>> 5] as number) | (1 << (top & 31));
    let slot = h & slots;
    while (tableHashes[slot] !== 0) slot = (slot + 1) & slots;
    tableHashes[slot] = h >>> 0;
    tableValues[slot] = value;
    tableKeys[slot] = word;
  }
}

/** The valence of a lower-cased token, or 0 when the lexicon does not have it (it has no zero valences). */
export function valenceOf(token: string): number {
  const h = (hashString(token, SEED_LEXICON) | 1) >>> 0;
  const top = h >>> 16;
  if (((present[top >>> 5] as number) & (1 << (top & 31))) === 0) return 0;
  for (let slot = h & slots; ; slot = (slot + 1) & slots) {
    const at = tableHashes[slot] as number;
    if (at === 0) return 0;
    if (at === h && tableKeys[slot] === token) return tableValues[slot] as number;
  }
}

/** Word → valence in [-4, 4]; read once from the installed package, empty when it is missing. */
export function getValenceLexicon(): Map<string, number> {
  if (lexicon) return lexicon;
  lexicon = new Map();
  try {
    const require = createRequire(import.meta.url);
    const file = join(dirname(require.resolve('vader-sentiment/package.json')), 'vader_lexicon.txt');
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [word, valence] = line.split('\t');
      const value = Number(valence);
      if (!word || !Number.isFinite(value)) continue;
      const key = word.toLowerCase();
      if (!lexicon.has(key)) lexicon.set(key, value);
    }
  } catch {
    // The model still works from n-grams alone; lexicon cues then simply never fire.
  }
  buildTable(lexicon);
  return lexicon;
}
