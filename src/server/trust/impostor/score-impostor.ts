import { foldConfusables } from './confusables.js';
import { editDistance } from './edit-distance.js';

export interface ImpostorCandidate {
  handle: string;
  displayName: string;
  followers?: number;
  accountCreatedAt?: Date;
  verified?: boolean;
  bio?: string;
}

export interface OfficialIdentity {
  handles: string[];
  brandWords: string[];
  displayNames?: string[];
}

export interface ImpostorVerdict {
  isImpostor: boolean;
  /** 0 (ordinary account) … 1 (certain impostor). */
  score: number;
  /** Human-readable reasons, strongest first. */
  evidence: string[];
}

export const IMPOSTOR_THRESHOLD = 0.6;
const DAY_MS = 86_400_000;

// Words impostors pair with a brand to pose as its service desk; folded like handles.
const SUPPORT_LIST = [
  'support', 'help', 'helpdesk', 'helpline', 'care', 'service', 'team', 'official', 'hq', 'cs',
  'customer', 'customercare', 'assist', 'contact', 'desk', 'billing', 'refund', 'refunds', 'rewards', 'giveaway',
  'admin', 'verify', 'security', 'resolution', 'center', 'centre', 'agent', 'staff', 'info', 'claims',
];
// Words put in front of a brand to claim it: realacme, theacme, askacme.
const CLAIM_LIST = ['real', 'the', 'ask', 'official', 'contact', 'hey', 'my', 'get', 'team'];
const SUPPORT_WORDS = SUPPORT_LIST.map(foldConfusables);
const CLAIM_PREFIXES = CLAIM_LIST.map(foldConfusables);
/** Folded words back to how people write them, for evidence a person reads. */
const READABLE = new Map([...SUPPORT_LIST, ...CLAIM_LIST].map((w) => [foldConfusables(w), w]));
const SUPPORT_TITLE =
  /\b(?:support|help\s*desk|helpline|help|customer\s+(?:care|service|support|success)|care\s+team|official|service|assistance|refunds?|billing)\b/i;

interface Signal {
  weight: number;
  text: string;
}

interface BrandHit {
  word: string;
  exact: boolean;
  supportWord: string | null;
}

function normaliseHandle(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase();
}

/** How many edits still make a look-alike: none for short handles, where one edit is just another name. */
function allowedEdits(length: number): number {
  return length >= 9 ? 2 : length >= 5 ? 1 : 0;
}

/** Folded tokens of a handle split at separators, and where each token ends in the joined skeleton. */
function tokenise(handle: string): { joined: string; tokens: string[]; ends: Set<number>; starts: Set<number> } {
  const tokens = handle.split(/[\s_.\-·•]+/).map(foldConfusables).filter((t) => t !== '');
  const ends = new Set<number>();
  const starts = new Set<number>();
  let at = 0;
  for (const t of tokens) {
    starts.add(at);
    at += t.length;
    ends.add(at);
  }
  return { joined: tokens.join(''), tokens, ends, starts };
}

function supportNear(before: string, after: string, tokens: readonly string[]): string | null {
  for (const w of SUPPORT_WORDS) if (after.startsWith(w) || before.endsWith(w) || tokens.includes(w)) return w;
  for (const w of CLAIM_PREFIXES) if (before.endsWith(w)) return w;
  return null;
}

/** Support words touching the match only: a misspelt brand may overlap the word it was taken from. */
function supportAdjacent(before: string, after: string): string | null {
  for (const w of SUPPORT_WORDS) if (after.startsWith(w) || before.endsWith(w)) return w;
  for (const w of CLAIM_PREFIXES) if (before.endsWith(w)) return w;
  return null;
}

/**
 * Finds a brand word in a handle. Exact (after folding) anywhere; a one-edit misspelling only when it
 * stands as its own token or next to a support word, so "verdant" is not read as "verde".
 */
function findBrandInHandle(handle: string, brandWords: readonly string[]): BrandHit | null {
  const { joined, tokens, ends, starts } = tokenise(handle);
  for (const word of brandWords) {
    const idx = joined.indexOf(word);
    if (idx < 0) continue;
    return { word, exact: true, supportWord: supportNear(joined.slice(0, idx), joined.slice(idx + word.length), tokens) };
  }
  for (const word of brandWords) {
    if (word.length < 5) continue;
    for (let from = 0; from < joined.length; from++) {
      for (const length of [word.length, word.length - 1, word.length + 1]) {
        const to = from + length;
        if (to > joined.length || editDistance(word, joined.slice(from, to)) !== 1) continue;
        const before = joined.slice(0, from);
        const after = joined.slice(to);
        if (starts.has(from) && ends.has(to)) return { word, exact: false, supportWord: supportNear(before, after, tokens) };
        const support = supportAdjacent(before, after);
        if (support) return { word, exact: false, supportWord: support };
      }
    }
  }
  return null;
}

function handleSignals(handle: string, official: OfficialIdentity, brandWords: readonly string[], readable: ReadonlyMap<string, string>): Signal[] {
  const folded = foldConfusables(handle);
  const signals: Signal[] = [];
  for (const o of official.handles) {
    const of = foldConfusables(normaliseHandle(o));
    if (folded === of) {
      signals.push({ weight: 0.95, text: `handle looks identical to @${o} once look-alike characters are folded` });
      continue;
    }
    const d = editDistance(folded, of);
    if (d > 0 && d <= allowedEdits(of.length)) signals.push({ weight: d === 1 ? 0.85 : 0.75, text: `handle is ${d} edit(s) from @${o}` });
    // For short handles one edit is weak on its own, but it counts beside a brand-like display name.
    else if (d === 1 && of.length >= 3) signals.push({ weight: 0.3, text: `handle is 1 edit from the short handle @${o}` });
  }
  const brand = findBrandInHandle(handle, brandWords);
  if (brand) {
    const how = brand.exact ? 'brand word' : 'misspelt brand word';
    const word = readable.get(brand.word) ?? brand.word;
    if (brand.supportWord) {
      const support = readable.get(brand.supportWord) ?? brand.supportWord;
      signals.push({ weight: 0.8, text: `handle joins ${how} "${word}" with "${support}"` });
    } else {
      signals.push({ weight: brand.exact ? 0.35 : 0.3, text: `handle contains ${how} "${word}"` });
    }
  }
  return signals;
}

/** Where a brand word matches one to three whole words of a display name (after folding). */
function findBrandInName(words: readonly string[], brandWords: readonly string[]): { first: number; last: number } | null {
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    for (let j = i; j < Math.min(words.length, i + 3); j++) {
      joined += words[j] ?? '';
      if (brandWords.includes(joined)) return { first: i, last: j };
    }
  }
  return null;
}

function displayNameSignals(displayName: string, official: OfficialIdentity, brandWords: readonly string[]): Signal[] {
  const folded = foldConfusables(displayName);
  const signals: Signal[] = [];
  for (const name of official.displayNames ?? []) {
    if (folded === foldConfusables(name)) signals.push({ weight: 0.6, text: `display name copies "${name}"` });
  }
  const plain = displayName.normalize('NFKC');
  const rawWords = plain.split(/[\s|/,:()·•\-–]+/).filter((w) => w !== '');
  const words = rawWords.map(foldConfusables);
  const at = findBrandInName(words, brandWords);
  if (!at) return signals;
  const before = (rawWords[at.first - 1] ?? '').toLowerCase();
  const after = (rawWords[at.last + 1] ?? '').toLowerCase();
  if (SUPPORT_TITLE.test(plain) || after === 'team' || before === 'team') {
    signals.push({ weight: 0.6, text: 'display name pairs the brand with a support title' });
  } else if (before === 'from' || before === 'at' || before === '@') {
    signals.push({ weight: 0.5, text: `display name speaks for the brand ("${before} …")` });
  }
  return signals;
}

/** Combines independent signals as a noisy-or: each one closes part of the remaining gap to 1. */
function combine(signals: readonly Signal[]): number {
  return 1 - signals.reduce((acc, s) => acc * (1 - s.weight), 1);
}

/**
 * Scores how likely an account poses as the brand: look-alike handles (confusables, edit distance),
 * brand words joined with support words, support titles in the display name; account age, follower
 * count and bio only strengthen a case that the name already makes. Official handles score 0.
 */
export function scoreImpostor(candidate: ImpostorCandidate, official: OfficialIdentity, now: Date = new Date()): ImpostorVerdict {
  const handle = normaliseHandle(candidate.handle);
  if (official.handles.some((h) => normaliseHandle(h) === handle)) {
    return { isImpostor: false, score: 0, evidence: ['official handle'] };
  }
  const brandWords = official.brandWords.map(foldConfusables).filter((w) => w.length >= 2);
  const readable = new Map([...READABLE, ...official.brandWords.map((w): [string, string] => [foldConfusables(w), w])]);
  const signals = [...handleSignals(handle, official, brandWords, readable), ...displayNameSignals(candidate.displayName, official, brandWords)];
  let score = combine(signals);

  // Supporting evidence: common among ordinary customers too, so it only counts once the name resembles the brand.
  if (score >= 0.5) {
    const extra: Signal[] = [];
    if (candidate.accountCreatedAt) {
      const ageDays = (now.getTime() - candidate.accountCreatedAt.getTime()) / DAY_MS;
      if (ageDays < 7) extra.push({ weight: 0.3, text: `account is ${Math.max(0, Math.floor(ageDays))} day(s) old` });
      else if (ageDays < 30) extra.push({ weight: 0.15, text: `account is ${Math.floor(ageDays)} days old` });
    }
    if (candidate.followers !== undefined && candidate.followers < 100) {
      extra.push({ weight: 0.15, text: `only ${candidate.followers} followers` });
    }
    if (candidate.bio && findBrandInName(candidate.bio.split(/[\s|/,:()·•.!\-–]+/).map(foldConfusables), brandWords) && SUPPORT_TITLE.test(candidate.bio)) {
      extra.push({ weight: 0.15, text: 'bio presents the account as brand support' });
    }
    score = combine([...signals, ...extra]);
    signals.push(...extra);
  }
  if (candidate.verified) {
    score *= 0.8;
    signals.push({ weight: 0, text: 'platform-verified account (weakens the case)' });
  }
  score = Math.round(score * 1000) / 1000;
  const evidence = signals.sort((a, b) => b.weight - a.weight).map((s) => s.text);
  return { isImpostor: score >= IMPOSTOR_THRESHOLD, score, evidence };
}
