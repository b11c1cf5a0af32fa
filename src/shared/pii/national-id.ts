import { isLuhnValid } from './checksums.js';
import { collectMatches, compact, withIndices } from './span.js';
import type { NationalIdPattern, PiiFinding } from './types.js';

// US SSN written with dashes or spaces; area 000, 666 and 9xx, group 00 and serial 0000 are never issued.
const SSN_FORMATTED = /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g;
// Undelimited SSNs only count when labelled.
const SSN_LABELLED = /\b(?:ssn|ss#|social security(?: number| no\.?| #)?)\s*(?:is|was|:|#|=)?\s*(?<value>(?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4})(?!\d)/dgi;

const NINO_BAD_PREFIXES = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Built-in non-US national id formats, each with its own check so random codes rarely pass. */
export const DEFAULT_NATIONAL_ID_PATTERNS: readonly NationalIdPattern[] = [
  {
    // UK National Insurance number.
    regex: /\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g,
    validate: (c) => !NINO_BAD_PREFIXES.has(c.slice(0, 2)),
  },
  {
    // Canadian Social Insurance Number: labelled, nine digits, Luhn.
    regex: /\b(?:SIN|social insurance(?: number| no\.?)?)\s*(?:is|:|#)?\s*(?<value>\d{3}[ -]?\d{3}[ -]?\d{3})\b/dgi,
    validate: (c) => isLuhnValid(c),
  },
  {
    // French NIR (numéro de sécurité sociale) with its mod-97 key.
    regex: /(?<!\d)[12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}(?!\d)/g,
    validate: (c) => {
      const body = c.slice(0, 13).replace('2A', '19').replace('2B', '18');
      const key = Number(c.slice(13));
      return 97 - Number(BigInt(body) % 97n) === key;
    },
  },
  {
    // Spanish DNI: eight digits and the check letter.
    regex: /\b\d{8}-?[A-Z]\b/g,
    validate: (c) => DNI_LETTERS[Number(c.slice(0, 8)) % 23] === c.slice(-1),
  },
];

function runPattern(text: string, pattern: NationalIdPattern, out: PiiFinding[]): void {
  const found: PiiFinding[] = [];
  collectMatches(text, withIndices(pattern.regex), pattern.type ?? 'ssn', found);
  for (const f of found) {
    if (!pattern.validate || pattern.validate(compact(text.slice(f.start, f.end)).toUpperCase())) out.push(f);
  }
}

/** US SSNs plus national id formats (the defaults above, or a workspace's own list). */
export function findNationalIds(
  text: string,
  patterns: readonly NationalIdPattern[] = DEFAULT_NATIONAL_ID_PATTERNS,
  out: PiiFinding[],
): void {
  SSN_FORMATTED.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SSN_FORMATTED.exec(text)) !== null) out.push({ type: 'ssn', start: m.index, end: m.index + m[0].length });
  collectMatches(text, SSN_LABELLED, 'ssn', out);
  for (const p of patterns) runPattern(text, p, out);
}
