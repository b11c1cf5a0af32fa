import { signatureOf, type IncidentRecord } from './incident-record.js';
import { findIntendedTerm } from './term-match.js';

export interface IncidentMatch {
  /** Log-likelihood ratio (nats): how much better the incident explains the message than everyday traffic. */
  score: number;
  /** Message terms that are common among the incident's members. */
  shared: string[];
  /** The message's terms with misspellings of signature terms replaced by the term meant. */
  terms: string[];
}

/** Pseudo-members drawn from the baseline: a young incident leans on everyday rates, an old one on its own. */
const SMOOTHING_MEMBERS = 5;
/** No single unknown word (a typo, a rare name) may veto a message on its own. */
const TERM_FLOOR = -2;

/**
 * Scores a message against an incident as a naive Bayes log-likelihood ratio over its terms:
 * ln P(term | incident) / P(term | baseline), the incident's term rates smoothed toward the
 * baseline. A term the incident's members often use and everyday traffic rarely does
 * ("manchester" during a Manchester outage) counts for much; a word everyday complaints use for
 * other problems ("delivery") counts against, so "Delivery to Manchester is late" stays out.
 */
export function matchIncident(
  terms: readonly string[],
  record: IncidentRecord,
  backgroundRate: (term: string) => number,
  coreTermShare: number,
): IncidentMatch {
  const signature = signatureOf(record);
  const members = record.memberCount;
  let score = 0;
  const effective: string[] = [];
  const shared: string[] = [];
  const present = new Set<string>();
  for (const term of terms) {
    let chosen = term;
    if (!record.termCounts.has(term)) {
      const intended = findIntendedTerm(term, signature.terms);
      if (intended !== undefined && !terms.includes(intended)) chosen = intended;
    }
    if (present.has(chosen)) continue;
    present.add(chosen);
    effective.push(chosen);
    const count = record.termCounts.get(chosen) ?? 0;
    const background = backgroundRate(chosen);
    const rate = (count + SMOOTHING_MEMBERS * background) / (members + SMOOTHING_MEMBERS);
    score += Math.max(TERM_FLOOR, Math.log(rate / background));
    if (members > 0 && count / members >= coreTermShare && count >= 2) shared.push(chosen);
  }
  return { score, shared, terms: effective };
}
