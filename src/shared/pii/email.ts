import type { PiiFinding } from './types.js';

// Local part per common practice (plus-addressing, dots); domain needs at least one dot and an alphabetic TLD.
const EMAIL = /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

/** Email addresses, including plus-tags and subdomains. */
export function findEmails(text: string, out: PiiFinding[]): void {
  if (!text.includes('@')) return;
  EMAIL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = EMAIL.exec(text)) !== null) {
    out.push({ type: 'email', start: m.index, end: m.index + m[0].length });
  }
}
