import { findAddresses } from './address.js';
import { findCards } from './card.js';
import { findDatesOfBirth } from './dob.js';
import { findEmails } from './email.js';
import { findIbans } from './iban.js';
import { findNamesNearPii } from './name.js';
import { findNationalIds } from './national-id.js';
import { findPhones } from './phone.js';
import { findReferenceNumbers } from './reference-numbers.js';
import { findSecrets } from './secrets.js';
import { collectMatches, withIndices } from './span.js';
import type { PiiFinding, PiiOptions } from './types.js';

// When spans overlap the more specific, checksum-backed or labelled reading wins.
const PRIORITY: Readonly<Record<string, number>> = {
  email: 0,
  iban: 1,
  card: 2,
  ssn: 3,
  account_number: 4,
  order_number: 5,
  otp: 6,
  password: 7,
  dob: 8,
  phone: 9,
  address: 10,
  name: 12,
};
const EXTRA_PRIORITY = 11;

function resolveOverlaps(candidates: PiiFinding[]): PiiFinding[] {
  const ranked = candidates
    .map((f, i) => ({ f, i, p: PRIORITY[f.type] ?? EXTRA_PRIORITY }))
    .sort((a, b) => a.p - b.p || b.f.end - b.f.start - (a.f.end - a.f.start) || a.i - b.i);
  const kept: PiiFinding[] = [];
  for (const { f } of ranked) {
    if (f.end <= f.start) continue;
    if (kept.some((k) => k.start < f.end && f.start < k.end)) continue;
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}

function isAllowedByPattern(text: string, f: PiiFinding, patterns: readonly RegExp[]): boolean {
  const value = text.slice(f.start, f.end);
  return patterns.some((p) => {
    p.lastIndex = 0;
    const m = p.exec(value);
    p.lastIndex = 0;
    return m !== null && m.index === 0 && m[0].length === value.length;
  });
}

/**
 * Finds personal data in a text. Returns spans (UTF-16 offsets, end exclusive) sorted by start,
 * never overlapping and never carrying the matched text.
 */
export function detectPii(text: string, opts: PiiOptions = {}): PiiFinding[] {
  const wants = (type: string): boolean => !opts.types || opts.types.includes(type);
  const hasDigit = /\d/.test(text);
  const found: PiiFinding[] = [];

  if (wants('email')) findEmails(text, found);
  if (hasDigit) {
    if (wants('iban')) findIbans(text, found);
    if (wants('card')) findCards(text, found);
    if (wants('ssn')) findNationalIds(text, opts.nationalIdPatterns, found);
    if (wants('account_number') || wants('order_number')) {
      const refs: PiiFinding[] = [];
      findReferenceNumbers(text, opts.accountPatterns, opts.orderPatterns, refs);
      for (const r of refs) if (wants(r.type)) found.push(r);
    }
    if (wants('otp') || wants('password')) {
      const secrets: PiiFinding[] = [];
      findSecrets(text, secrets);
      for (const s of secrets) if (wants(s.type)) found.push(s);
    }
    if (wants('dob')) findDatesOfBirth(text, found);
    if (wants('phone')) {
      findPhones(text, { defaultRegion: opts.defaultRegion ?? 'US', nationalRegions: opts.nationalRegions ?? [] }, found);
    }
    if (wants('address')) findAddresses(text, found);
  } else if (wants('password') && /pass/i.test(text)) {
    const secrets: PiiFinding[] = [];
    findSecrets(text, secrets);
    for (const s of secrets) if (s.type === 'password') found.push(s);
  }
  for (const p of opts.extraPatterns ?? []) if (wants(p.type)) collectMatches(text, withIndices(p.regex), p.type, found);
  if (wants('name')) findNamesNearPii(text, resolveOverlaps(found), found);

  let result = resolveOverlaps(found);
  const { allowTypes, allowPatterns } = opts;
  if (allowTypes && allowTypes.length > 0) result = result.filter((f) => !allowTypes.includes(f.type));
  if (allowPatterns && allowPatterns.length > 0) result = result.filter((f) => !isAllowedByPattern(text, f, allowPatterns));
  return result;
}
