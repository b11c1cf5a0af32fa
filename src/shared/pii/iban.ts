import { IBAN_LENGTHS, isIbanChecksumValid } from './checksums.js';
import type { PiiFinding } from './types.js';

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?=[ ]?[A-Za-z0-9])/g;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * IBANs, compact or printed in groups of four. The country's registered length decides where the
 * number ends, so a word that follows a spaced IBAN is never swallowed; mod-97 confirms it.
 */
export function findIbans(text: string, out: PiiFinding[]): void {
  IBAN_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IBAN_START.exec(text)) !== null) {
    const country = (m[1] ?? '').toUpperCase();
    const length = IBAN_LENGTHS[country];
    if (length === undefined) continue;
    let chars = country + (m[2] ?? '');
    let i = m.index + 4;
    while (chars.length < length && i < text.length) {
      const c = text.charCodeAt(i);
      if (isAlnum(c)) {
        chars += text[i];
        i++;
      } else if (c === 32 && i + 1 < text.length && isAlnum(text.charCodeAt(i + 1))) {
        i++;
      } else {
        break;
      }
    }
    if (chars.length !== length) continue;
    if (i < text.length && isAlnum(text.charCodeAt(i))) continue;
    if (!isIbanChecksumValid(chars.toUpperCase())) continue;
    out.push({ type: 'iban', start: m.index, end: i });
    IBAN_START.lastIndex = i;
  }
}
