import type { PiiFinding } from './types.js';

const indexed = new WeakMap<RegExp, RegExp>();

/** Ensures a regex is global and reports group indices, so `value` groups can narrow a finding's span. */
export function withIndices(regex: RegExp): RegExp {
  let flags = regex.flags;
  if (!flags.includes('g')) flags += 'g';
  if (!flags.includes('d')) flags += 'd';
  if (flags === regex.flags) return regex;
  let copy = indexed.get(regex);
  if (!copy) {
    copy = new RegExp(regex.source, flags);
    indexed.set(regex, copy);
  }
  return copy;
}

/** Runs a (global, `d`-flagged) regex and reports each match, narrowed to its `value` group when present. */
export function collectMatches(text: string, regex: RegExp, type: string, out: PiiFinding[]): void {
  regex.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = regex.exec(text)) !== null) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    const span = m.indices?.groups?.['value'] ?? m.indices?.[0];
    if (span) out.push({ type, start: span[0], end: span[1] });
  }
}

/** Digits and letters of a span without spaces, dashes and dots. */
export function compact(s: string): string {
  return s.replace(/[\s.\-–/()]/g, '');
}
