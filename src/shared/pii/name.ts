import type { PiiFinding } from './types.js';

const WORD = "[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?";
const NAME = `${WORD}(?:\\s+[A-Z]\\.)?(?:\\s+${WORD}){1,2}`;
// A name just before the data, optionally followed by a label: "John Smith, 4111 …", "Ana Lopez card: …".
const BEFORE = new RegExp(
  `(?<name>${NAME})(?:['’]s)?[\\s,:;(–-]*(?:(?:card|phone|mobile|cell|email|e-mail|number|no\\.?|dob|ssn|iban|account|address|is|at|on|tel|born)\\s*[:#-]?\\s*){0,3}$`,
);
// A name just after the data: "4111 … (John Smith)", "… - cardholder: Ana Lopez".
const AFTER = new RegExp(`^[\\s,;:)(–-]*(?:(?:name|cardholder|card holder|holder|for|from|by)\\s*:?\\s*)?(?<name>${NAME})`);
const LABELLED = new RegExp(`\\b(?:my name is|name\\s*:|full name\\s*:|cardholder\\s*:?|this is)\\s*(?<name>${NAME})`, 'dg');

// Capitalised words that are not people's names but often sit next to personal data.
const NOT_NAMES = new Set(
  ('hi hello hey dear thanks thank please regards cheers best kind visa mastercard amex american express discover maestro ' +
    'card phone mobile email e-mail call text whatsapp iban ssn dob date birth born street avenue road account order ' +
    'customer support team help desk service care the my your our we you i it this that and or but at on in for to from ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august ' +
    'september october november december today tomorrow yesterday number name address contact details reply dm note ' +
    'sorry apologies ok okay yes no also just new old uk us usa eu london paris berlin mr mrs ms dr sir madam')
    .split(' '),
);

/** Drops leading words that cannot be part of a name; a name keeps at least two words. */
function trimName(text: string, start: number, end: number): [number, number] | null {
  const words = [...text.slice(start, end).matchAll(/[A-Za-z'’.-]+/g)];
  let i = 0;
  while (i < words.length && NOT_NAMES.has((words[i]?.[0] ?? '').toLowerCase().replace(/['’]s$/, ''))) i++;
  const rest = words.slice(i);
  if (rest.length < 2) return null;
  if (rest.some((w) => NOT_NAMES.has(w[0].toLowerCase()))) return null;
  const first = rest[0];
  return first ? [start + (first.index ?? 0), end] : null;
}

function push(text: string, start: number, end: number, out: PiiFinding[]): void {
  const span = trimName(text, start, end);
  if (span) out.push({ type: 'name', start: span[0], end: span[1] });
}

/** People's names, reported only beside other personal data found in the same text. */
export function findNamesNearPii(text: string, found: readonly PiiFinding[], out: PiiFinding[]): void {
  if (found.length === 0) return;
  for (const f of found) {
    const beforeStart = Math.max(0, f.start - 60);
    const before = BEFORE.exec(text.slice(beforeStart, f.start));
    const bn = before?.groups?.['name'];
    if (before && bn) push(text, beforeStart + before.index, beforeStart + before.index + bn.length, out);
    const after = AFTER.exec(text.slice(f.end, f.end + 60));
    const an = after?.groups?.['name'];
    if (after && an) {
      const s = f.end + after[0].length - an.length;
      push(text, s, s + an.length, out);
    }
  }
  LABELLED.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LABELLED.exec(text)) !== null) {
    const span = m.indices?.groups?.['name'];
    if (span) push(text, span[0], span[1], out);
  }
}
