import { collectMatches } from './span.js';
import type { PiiFinding } from './types.js';

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?';
const YEAR = '(?:19|20)\\d{2}';
const DATE = [
  `${DAY}[./-]${DAY}[./-](?:${YEAR}|\\d{2})`, // 03/04/1985, 3.4.85
  `${YEAR}[./-][01]?\\d[./-][0-3]?\\d`, // 1985-04-03
  `${DAY}\\s+(?:of\\s+)?${MONTH},?\\s+${YEAR}`, // 3rd of March 1985
  `${MONTH}\\s+${DAY},?\\s+${YEAR}`, // March 3, 1985
].join('|');

// The date must follow a birth cue within a few words: a bare date in a reply is a delivery date, not PII.
const DOB = new RegExp(
  `\\b(?:born(?:\\s+on)?|d\\.?o\\.?b\\.?|date\\s+of\\s+birth|birth\\s*date|birthday(?:\\s+is)?|geboren(?:\\s+am)?|n[ée]e?\\s+le)` +
    `\\s*(?:is|was|:|-|=)?\\s*(?:on\\s+)?(?:the\\s+)?(?<value>${DATE})(?![\\d/.-]\\d)`,
  'dgi',
);

/** Dates of birth, recognised only next to a birth cue ("born", "DOB", "date of birth" …). */
export function findDatesOfBirth(text: string, out: PiiFinding[]): void {
  collectMatches(text, DOB, 'dob', out);
}
