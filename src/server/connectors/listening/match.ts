import type { ListeningMessage, ListeningNode } from './ast.js';

/** ISO 639-3 codes language detectors (franc) return, for the languages brands most often filter on. */
const iso6393To6391: Readonly<Record<string, string>> = {
  eng: 'en', deu: 'de', fra: 'fr', spa: 'es', ita: 'it', por: 'pt', nld: 'nl', swe: 'sv', dan: 'da', nob: 'no', nno: 'no',
  fin: 'fi', pol: 'pl', ces: 'cs', slk: 'sk', hun: 'hu', ron: 'ro', bul: 'bg', ell: 'el', tur: 'tr', rus: 'ru', ukr: 'uk',
  ara: 'ar', heb: 'he', hin: 'hi', ben: 'bn', urd: 'ur', fas: 'fa', pes: 'fa', jpn: 'ja', kor: 'ko', cmn: 'zh', zho: 'zh',
  vie: 'vi', tha: 'th', ind: 'id', msa: 'ms', zsm: 'ms', tgl: 'tl', swh: 'sw', cat: 'ca', hrv: 'hr', srp: 'sr', slv: 'sl',
  lit: 'lt', lav: 'lv', est: 'et', isl: 'is', gle: 'ga', cym: 'cy', afr: 'af',
};

export function normalizeLanguage(code: string | null | undefined): string | null {
  if (!code) return null;
  const lower = code.toLowerCase().split(/[-_]/)[0] ?? '';
  return iso6393To6391[lower] ?? lower;
}

/** Words with their `#`/`@` sigils kept; apostrophes and punctuation split words. */
export function tokenizeForListening(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').match(/[#@]?[\p{L}\p{N}_]+/gu) ?? [];
}

interface Prepared {
  tokens: string[];
  /** Tokens with and without sigils: a plain keyword also matches its #hashtag and @mention. */
  words: Set<string>;
  language: string | null;
  author: string | null;
}

function prepare(message: ListeningMessage): Prepared {
  const tokens = tokenizeForListening(message.text);
  const words = new Set<string>();
  for (const token of tokens) {
    words.add(token);
    if (token.startsWith('#') || token.startsWith('@')) words.add(token.slice(1));
  }
  return { tokens, words, language: normalizeLanguage(message.language), author: message.authorHandle?.replace(/^@/, '').toLowerCase() ?? null };
}

function containsSequence(tokens: string[], sequence: string[]): boolean {
  if (sequence.length === 0) return false;
  outer: for (let i = 0; i + sequence.length <= tokens.length; i += 1) {
    for (let j = 0; j < sequence.length; j += 1) {
      const token = tokens[i + j] ?? '';
      const wanted = sequence[j] ?? '';
      if (token !== wanted && token.replace(/^[#@]/, '') !== wanted) continue outer;
    }
    return true;
  }
  return false;
}

type Test = (m: Prepared) => boolean;

function build(node: ListeningNode): Test {
  switch (node.type) {
    case 'term': {
      const parts = tokenizeForListening(node.value);
      const only = parts[0] ?? '';
      // A keyword with inner punctuation (wi-fi, e-mail) matches its words in sequence.
      return parts.length === 1 ? (m) => m.words.has(only) : (m) => containsSequence(m.tokens, parts);
    }
    case 'phrase': {
      const parts = tokenizeForListening(node.value).map((t) => t.replace(/^[#@]/, ''));
      return (m) => containsSequence(m.tokens, parts);
    }
    case 'lang': {
      const wanted = normalizeLanguage(node.value);
      return (m) => m.language !== null && m.language === wanted;
    }
    case 'from':
      return (m) => m.author !== null && m.author === node.value;
    case 'and': {
      const children = node.children.map(build);
      return (m) => children.every((test) => test(m));
    }
    case 'or': {
      const children = node.children.map(build);
      return (m) => children.some((test) => test(m));
    }
    case 'not': {
      const child = build(node.child);
      return (m) => !child(m);
    }
  }
}

/** Compile once, run per message: the hot path for firehoses Parley filters itself. */
export function compileListeningMatcher(ast: ListeningNode): (message: ListeningMessage) => boolean {
  const test = build(ast);
  return (message) => test(prepare(message));
}

/** Does this message match the parsed query? */
export function matchesListeningQuery(ast: ListeningNode, message: ListeningMessage): boolean {
  return compileListeningMatcher(ast)(message);
}

export interface ListeningTestResult<T> {
  total: number;
  matchedCount: number;
  /** Up to `limit` matching messages, in the order given. */
  matches: T[];
}

/** Try a rule against recent messages before saving it: how many would it have caught, and which. */
export function testListeningQuery<T extends ListeningMessage>(ast: ListeningNode, recentMessages: readonly T[], limit = 50): ListeningTestResult<T> {
  const matcher = compileListeningMatcher(ast);
  const matches: T[] = [];
  let matchedCount = 0;
  for (const message of recentMessages) {
    if (!matcher(message)) continue;
    matchedCount += 1;
    if (matches.length < limit) matches.push(message);
  }
  return { total: recentMessages.length, matchedCount, matches };
}
