/** Text → tokens for every model: one pass, social-media aware (mentions, URLs, hashtags, emoticons, emoji, negation). */

/** Texts longer than this are cut before any work, so one huge message cannot stall a batch. */
export const MAX_TEXT_CHARS = 5000;

export interface TokenizedText {
  /** Lower-cased tokens; URLs become `<url>`, mentions `@user`. */
  tokens: string[];
  /** True where the token sits inside a negation scope ("not good" → good is negated). */
  negated: boolean[];
  /** Counts of surface cues that lower-casing would hide. */
  allCaps: number;
  elongated: number;
  exclamations: number;
  questions: number;
  /** Whether the input was cut at MAX_TEXT_CHARS. */
  truncated: boolean;
}

const TOKEN_RE =
  /https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_]+|#[\p{L}\p{N}_]+|<3|[:;=8][-'^o]?[)(\][dDpP/\\|*3]|[)(][-^]?[:;=]|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)*|\p{Extended_Pictographic}|[!?.,;:]+/gu;
// Replacement of C0/C1 controls and lone surrogates keeps binary input from producing junk tokens.
const CONTROL_RE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ELONGATION_RE = /(.)\1{2,}/gu;
const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'cannot',
  'cant',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'without',
  'nowhere',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'wont',
  'wouldnt',
  'shouldnt',
  'couldnt',
  'havent',
  'hasnt',
  'hadnt',
  'aint',
]);
const NEGATION_SCOPE = 3;

/** Cleans any string: caps its length and drops control characters and broken surrogates. */
export function cleanText(raw: string): { text: string; truncated: boolean } {
  const truncated = raw.length > MAX_TEXT_CHARS;
  const cut = truncated ? raw.slice(0, MAX_TEXT_CHARS) : raw;
  return { text: cut.replace(CONTROL_RE, ' '), truncated };
}

/** Last code units of the negators, so most tokens are turned away before the set is asked. */
const NEGATOR_ENDS = new Set([...NEGATORS, "n't"].map((w) => w.charCodeAt(w.length - 1)));

function isNegator(token: string): boolean {
  if (!NEGATOR_ENDS.has(token.charCodeAt(token.length - 1))) return false;
  return NEGATORS.has(token) || token.endsWith("n't") || token.endsWith('n’t');
}

function hasRunOfThree(token: string): boolean {
  for (let i = 2; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === token.charCodeAt(i - 1) && c === token.charCodeAt(i - 2)) return true;
  }
  return false;
}

export function tokenize(raw: string): TokenizedText {
  const { text, truncated } = cleanText(raw);
  const tokens: string[] = [];
  const negated: boolean[] = [];
  let allCaps = 0;
  let elongated = 0;
  let exclamations = 0;
  let questions = 0;
  let scope = 0;
  // One native call returns every match as a string, without a match array per token.
  const matches = text.match(TOKEN_RE) ?? [];
  for (const match of matches) {
    let token = match;
    const first = token.charCodeAt(0);
    const isPunct =
      first === 0x21 ||
      first === 0x3f ||
      first === 0x2e ||
      first === 0x2c ||
      first === 0x3b ||
      first === 0x3a;
    if ((first === 0x68 || first === 0x77) && (token.startsWith('http') || token.startsWith('www.'))) {
      token = '<url>';
    } else if (first === 0x40 /* @ */ && token.length > 1) {
      token = '@user';
    } else if (!isPunct) {
      const lower = token.toLowerCase();
      if (lower !== token && token.length >= 3 && token === token.toUpperCase()) allCaps++;
      token = lower;
      if (token.length >= 3 && hasRunOfThree(token)) {
        elongated++;
        token = token.replace(ELONGATION_RE, '$1$1');
      }
    }
    if (isPunct) {
      if (token.includes('!')) exclamations++;
      if (token.includes('?')) questions++;
      scope = 0;
      // Runs of punctuation carry tone ("!!!", "?!"), their exact length does not.
      if (token.length > 3) token = token.slice(0, 3);
    }
    tokens.push(token);
    negated.push(scope > 0 && !isPunct);
    if (scope > 0) scope--;
    if (!isPunct && isNegator(token)) scope = NEGATION_SCOPE;
  }
  return { tokens, negated, allCaps, elongated, exclamations, questions, truncated };
}
