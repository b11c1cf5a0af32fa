/**
 * Lets a misspelt or glued word count as the term it was meant to be, only against an
 * incident's own signature terms: "manchseter" for "manchester", "#manchesteroutage".
 */

/** True when a and b differ by at most one insertion, deletion, substitution or adjacent swap. */
export function isWithinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

const MIN_FUZZY_LENGTH = 5;
const MIN_GLUED_PART = 5;

/** The signature term `term` stands for, or undefined. Exact membership is checked by the caller. */
export function findIntendedTerm(term: string, signature: readonly string[]): string | undefined {
  if (term.length < MIN_FUZZY_LENGTH - 1) return undefined;
  for (const candidate of signature) {
    if (candidate.length >= MIN_FUZZY_LENGTH && isWithinOneEdit(term, candidate)) return candidate;
  }
  if (term.length >= MIN_GLUED_PART + 3) {
    for (const candidate of signature) {
      if (candidate.length >= MIN_GLUED_PART && (term.startsWith(candidate) || term.endsWith(candidate))) return candidate;
    }
  }
  return undefined;
}
