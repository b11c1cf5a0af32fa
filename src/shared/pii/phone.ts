import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import type { PiiFinding } from './types.js';

/*
 * The `max` metadata validates the digits themselves, not only the length; with the smaller default
 * metadata almost any 10-digit run would pass, which floods replies full of ids and amounts with
 * false positives. libphonenumber's own text scanner was ~50 µs a text here, so candidates are cut
 * out with one regex and only they are parsed.
 */
const CANDIDATE = /(?<![\w+$€£¥#.,/-])(?:\+\s?|00)?\(?\d[\d ().-]{5,22}\d(?![\d%]|[.,/-]\d|\w)/g;
const GROUP = /\d+/g;
const NOT_A_PHONE_BEFORE =
  /(?:ticket|case|ref|reference|order|invoice|tracking|version|build|id|account|acct|serial|model|sku|item|policy|claim|incident|po|no\.?|number|v|ver)\s*[:#]?\s*$/i;
const DATE_LIKE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;
const RANGE_LIKE = /^\d{1,6}\s?-\s?\d{1,6}$/;

export interface PhoneScanOptions {
  defaultRegion: CountryCode;
  /** Further regions whose national (trunk-prefixed, leading 0) format is accepted. */
  nationalRegions: readonly CountryCode[];
}

// North American numbering plan regions: ten digits (NXX NXX XXXX), optionally after a leading 1.
const NANP = new Set(['US', 'CA', 'PR', 'VI', 'GU', 'AS', 'MP', 'BS', 'BB', 'JM', 'TT', 'DO', 'BM', 'KY']);

/** A cheap length and leading-digit test that spares most non-numbers a 5–30 µs parse. */
function isPlausibleNational(candidate: string, region: CountryCode): boolean {
  if (!NANP.has(region)) return true;
  let d = candidate.replace(/\D/g, '');
  if (d.length === 11 && d.startsWith('1')) d = d.slice(1);
  return d.length === 10 && d[0] !== '0' && d[0] !== '1' && d[3] !== '0' && d[3] !== '1';
}

function isValidPhone(candidate: string, opts: PhoneScanOptions): boolean {
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  const normalised = candidate.startsWith('00') ? '+' + candidate.slice(2) : candidate;
  // An explicit "+<country code>" is itself strong evidence, and operators open new ranges faster than
  // metadata ships, so a possible length is enough there; bare digits must pass the full check.
  if (candidate.startsWith('+')) return parsePhoneNumberFromString(normalised)?.isPossible() === true;
  if (international) return parsePhoneNumberFromString(normalised)?.isValid() === true;
  if (isPlausibleNational(normalised, opts.defaultRegion) && parsePhoneNumberFromString(normalised, opts.defaultRegion)?.isValid() === true) {
    return true;
  }
  if (!/^\(?0/.test(normalised)) return false;
  for (const region of opts.nationalRegions) {
    if (parsePhoneNumberFromString(normalised, region)?.isValid() === true) return true;
  }
  return false;
}

// Written phone numbers group digits in short blocks; only the last block runs long ("030 12345678").
function hasPhoneGrouping(candidate: string): boolean {
  if (candidate.startsWith('+')) return true;
  const groups = candidate.match(/\d+/g) ?? [];
  return groups.slice(0, -1).every((g) => g.length <= 5);
}

function isExcluded(text: string, start: number, candidate: string): boolean {
  if (DATE_LIKE.test(candidate) || RANGE_LIKE.test(candidate) || !hasPhoneGrouping(candidate)) return true;
  const before = text.slice(Math.max(0, start - 14), start);
  return NOT_A_PHONE_BEFORE.test(before);
}

/**
 * Tries the whole candidate, then the candidate with up to two digit groups dropped from either
 * end, so a number glued to "24 hours" or to a preceding count still counts. Each parse costs
 * 5–30 µs, so the sub-runs are few and bounded.
 */
function findInCandidate(text: string, offset: number, candidate: string, opts: PhoneScanOptions, out: PiiFinding[]): void {
  if (isValidPhone(candidate, opts)) {
    out.push({ type: 'phone', start: offset, end: offset + candidate.length });
    return;
  }
  const groups: [number, number][] = [];
  GROUP.lastIndex = 0;
  let g: RegExpExecArray | null;
  while ((g = GROUP.exec(candidate)) !== null) groups.push([g.index, g.index + g[0].length]);
  if (groups.length < 3) return;
  const last = groups.length - 1;
  const tries: [number, number][] = [
    [0, last - 1],
    [1, last],
    [0, last - 2],
    [2, last],
    [1, last - 1],
  ];
  for (const [first, final] of tries) {
    const a = groups[first];
    const b = groups[final];
    if (!a || !b || final - first < 1) continue;
    let s = first === 0 ? 0 : a[0];
    if (s > 0 && candidate[s - 1] === '(') s -= 1;
    let e = b[1];
    if (candidate[e] === ')') e += 1;
    const sub = candidate.slice(s, e);
    const digits = sub.replace(/\D/g, '').length;
    if (digits < 7 || digits > 15) continue;
    if (isValidPhone(sub, opts)) {
      out.push({ type: 'phone', start: offset + s, end: offset + e });
      return;
    }
  }
}

function overlapsAny(start: number, end: number, found: readonly PiiFinding[]): boolean {
  for (const f of found) if (f.start < end && start < f.end) return true;
  return false;
}

/**
 * Phone numbers in international (+44 …, 0044 …) and national formats. Candidates overlapping
 * findings already in `out` (cards, IBANs found first) are skipped rather than parsed.
 */
export function findPhones(text: string, opts: PhoneScanOptions, out: PiiFinding[]): void {
  const earlier = out.slice();
  CANDIDATE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CANDIDATE.exec(text)) !== null) {
    let candidate = m[0];
    // An opening parenthesis without its partner is prose, not an area code.
    if (candidate.startsWith('(') && !candidate.includes(')')) candidate = candidate.slice(1);
    const start = m.index + (m[0].length - candidate.length);
    while (candidate.endsWith(')') && !candidate.includes('(')) candidate = candidate.slice(0, -1);
    const trimmed = candidate.trimEnd();
    const digitCount = trimmed.replace(/\D/g, '').length;
    if (digitCount < 7 || overlapsAny(start, start + trimmed.length, earlier)) continue;
    // Bare 7–8 digit runs in written replies are counts and ids far more often than local numbers.
    if (digitCount < 9 && /^\d+$/.test(trimmed)) continue;
    if (isExcluded(text, start, trimmed)) continue;
    findInCandidate(text, start, trimmed, opts, out);
  }
}
