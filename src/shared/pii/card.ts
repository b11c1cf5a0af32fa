import { isLuhnValid } from './checksums.js';
import type { PiiFinding } from './types.js';

// 13–19 digits, optionally grouped by single spaces or dashes; not glued to other digits or a "+" (phones).
const CARD = /(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d])/g;
// How issuers print numbers; other groupings of a long digit run are phone numbers or ids.
const LAYOUTS = new Set(['4-4-4-4', '4-6-5', '4-6-4', '4-4-4-4-3', '4-4-4-1', '4-4-4-2', '4-4-4-3', '4-4-5', '4-4-4-4-1', '4-4-4-4-2']);

function hasCardLayout(raw: string): boolean {
  const groups = raw.split(/[ -]/);
  return groups.length === 1 || LAYOUTS.has(groups.map((g) => g.length).join('-'));
}

/** Issuer prefixes of the major schemes; a Luhn-valid number outside them is more likely an ordinary id. */
function hasKnownIssuerPrefix(d: string): boolean {
  const two = Number(d.slice(0, 2));
  const four = Number(d.slice(0, 4));
  const first = d.charCodeAt(0) - 48;
  if (first === 4) return true; // Visa
  if (two >= 51 && two <= 55) return true; // Mastercard
  if (four >= 2221 && four <= 2720) return true; // Mastercard 2-series
  if (two === 34 || two === 37) return d.length === 15; // American Express
  if (two === 30 || two === 36 || two === 38 || two === 39) return true; // Diners Club
  if (two === 35) return true; // JCB
  if (two === 62 || two === 81) return true; // UnionPay
  if (d.startsWith('6011') || two === 65 || (four >= 6440 && four <= 6499)) return true; // Discover
  if (two === 50 || (two >= 56 && two <= 69)) return true; // Maestro
  return false;
}

/** Payment card numbers: plausible scheme prefix, length and a valid Luhn check digit. */
export function findCards(text: string, out: PiiFinding[]): void {
  CARD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CARD.exec(text)) !== null) {
    let raw = m[0];
    // A trailing separator is not part of the number.
    while (raw.endsWith(' ') || raw.endsWith('-')) raw = raw.slice(0, -1);
    const digits = raw.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (!hasCardLayout(raw) || !hasKnownIssuerPrefix(digits) || !isLuhnValid(digits)) continue;
    out.push({ type: 'card', start: m.index, end: m.index + raw.length });
  }
}
