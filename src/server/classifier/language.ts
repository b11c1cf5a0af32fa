/** Language stage: ISO 639-1 code or 'und'. Stop-word votes settle short Latin texts fast; franc-min handles the rest. */
import { franc } from 'franc-min';
import { FRANC_ONLY, ISO3_TO_1, STOP_WORDS } from './language-data.js';

// Stop word → the indices (into LANGS) of the languages it belongs to; votes are counted per index.
const LANGS = Object.keys(STOP_WORDS);
const STOP_INDEX = new Map<string, number[]>();
LANGS.forEach((lang, k) => {
  for (const word of STOP_WORDS[lang] ?? []) STOP_INDEX.set(word, [...(STOP_INDEX.get(word) ?? []), k]);
});
const votes = new Int32Array(LANGS.length);
// Languages in the order of their first vote: ties go to the language voted for first.
const voted = new Int32Array(LANGS.length);

const SCRIPT_ONLY: [RegExp, string][] = [
  [/[\u3040-\u30ff]/u, 'ja'],
  [/[\uac00-\ud7af\u1100-\u11ff]/u, 'ko'],
  [/[\u4e00-\u9fff]/u, 'zh'],
  [/[\u0e00-\u0e7f]/u, 'th'],
  [/[\u0590-\u05ff]/u, 'he'],
  [/[\u0370-\u03ff]/u, 'el'],
];
const LETTER_RE = /\p{L}/gu;
/** A letter or combining mark outside ASCII: emoji, curly quotes and dashes are not. */
// eslint-disable-next-line no-control-regex
const FOREIGN_LETTER_RE = /[^\u0000-\u007f\P{L}]|[^\u0000-\u007f\P{M}]/u;
const MIN_FRANC_LETTERS = 24;

/** Detects the language of one cleaned text from its lower-cased tokens; 'und' when the evidence is thin. */
export function detectLanguage(text: string, tokens: readonly string[]): string {
  let words = 0;
  let languages = 0;
  for (const token of tokens) {
    const first = token.charCodeAt(0);
    // Letters start words: a–z after lower-casing, or anything non-ASCII (digits, '@user', '<url>' and punctuation do not).
    if (!((first >= 0x61 && first <= 0x7a) || first > 0x7f)) continue;
    words++;
    const langs = STOP_INDEX.get(token);
    if (langs === undefined) continue;
    for (const k of langs) if ((votes[k] = (votes[k] as number) + 1) === 1) voted[languages++] = k;
  }
  let best = 'und';
  let bestVotes = 0;
  let second = 0;
  for (let i = 0; i < languages; i++) {
    const k = voted[i] as number;
    const count = votes[k] as number;
    votes[k] = 0;
    if (count > bestVotes) {
      second = bestVotes;
      bestVotes = count;
      best = LANGS[k] as string;
    } else if (count > second) second = count;
  }
  // Two distinctive function words, clearly ahead of the runner-up, are enough for a tweet-length Latin text.
  if (bestVotes >= 2 && bestVotes >= 2 * second && bestVotes * 8 >= words) return best;
  // Latin text with no letter outside ASCII, an English function word and no rival is English far more often than franc
  // can tell on a headline; emoji and a curly apostrophe ("it’s") do not make it less so.
  if (best === 'en' && second === 0 && !FOREIGN_LETTER_RE.test(text)) return 'en';
  for (const [re, lang] of SCRIPT_ONLY) if (re.test(text)) return lang;
  const letters = text.match(LETTER_RE) ?? [];
  // A run of one repeated letter ("xxxxxxxx") is not language, whatever trigram statistics say.
  if (letters.length >= MIN_FRANC_LETTERS && new Set(letters.slice(0, 200)).size >= 5) {
    const code = franc(text, { minLength: MIN_FRANC_LETTERS, only: FRANC_ONLY });
    const mapped = ISO3_TO_1[code];
    if (mapped) return mapped;
  }
  if (bestVotes >= 1 && second === 0 && words <= 3) return best;
  return 'und';
}
