import { extractTerms } from '../correlate/incidents/normalise-text.js';

/**
 * During a confirmed outage, a post the incident detector left out can still join it in the decide stage: the
 * detector needs a strong term-by-term likelihood before it groups anything (it must not group unrelated issues),
 * so a short or oddly worded outage report ("no signal since lunch, anyone else?") stays out and waits for an
 * agent while everyone else has the incident's answer. Once a supervisor (or the detector's own confidence)
 * has confirmed the incident, the decide stage also lets in a post that the intent classifier calls an outage,
 * from the same brand, while the incident is still taking members, that shares at least `minSharedTerms` of the
 * incident's terms (the detector's own minimum), one of them among its `leadTerms` most telling ones (such as the
 * place, or the symptom everyone reports), unless the intent model is all but sure (`confidentIntentScore`) that it
 * reports an outage. Generic words are not enough: "what is the best plan for lots of mobile data?" or "app down? it
 * will not show my data usage", which the intent model may call an outage (without conviction), share only "mobile"
 * or "down" and "data" with a Manchester mobile-data outage, and joining them would answer a question with the outage
 * notice instead of an agent. On twenty labelled incident days this recovers 178 of the 356 outage posts the
 * detector missed and attaches 1 of 4,521 unrelated complaints sent during the outage, where two shared terms of any
 * rank recovered 196 and attached 77 (simulator.test.ts measures it on two of the days).
 */
export interface JoinableIncident {
  id: string;
  status: string;
  /** The terms the incident's members share (the detector's stems). */
  terms: readonly string[];
  /** When its latest member was written, epoch ms. */
  lastMemberAt: number;
  /** Brands of the channels its members came from (null: a channel without a brand). */
  brandIds: ReadonlySet<string | null>;
}

export interface JoinCandidate {
  intent: string | null;
  text: string;
  createdAt: number;
  brandId: string | null;
  /** The intent model's score for `intent`, 0..1; null or absent when unknown. */
  intentScore?: number | null;
}

export interface IncidentJoinOptions {
  /** Intents that report an outage. */
  intents: ReadonlySet<string>;
  minSharedTerms: number;
  /** One shared term must be among the incident's first `leadTerms` terms (its terms are ranked most telling first). */
  leadTerms: number;
  /** Without a lead term, an intent score this high still lets the post in (two shared terms stay required). */
  confidentIntentScore: number;
  /** An incident takes no members this long after its latest one (the detector's quiet close). */
  quietMs: number;
}

export const DEFAULT_INCIDENT_JOIN: Readonly<IncidentJoinOptions> = Object.freeze({ intents: new Set(['outage']), minSharedTerms: 2, leadTerms: 2, confidentIntentScore: 0.8, quietMs: 30 * 60_000 });

export interface IncidentJoin {
  incidentId: string;
  sharedTerms: string[];
}

/** The confirmed incident the post joins (most shared terms, then the most recently active), or null. */
export function matchConfirmedIncident(post: JoinCandidate, incidents: readonly JoinableIncident[], options: IncidentJoinOptions = DEFAULT_INCIDENT_JOIN): IncidentJoin | null {
  if (post.intent === null || !options.intents.has(post.intent)) return null;
  let best: { incident: JoinableIncident; shared: string[] } | null = null;
  let terms: Set<string> | null = null;
  for (const incident of incidents) {
    if (incident.status !== 'confirmed' || !incident.brandIds.has(post.brandId)) continue;
    if (post.createdAt - incident.lastMemberAt > options.quietMs) continue;
    terms ??= new Set(extractTerms(post.text));
    const shared = incident.terms.filter((t) => terms?.has(t));
    if (shared.length < options.minSharedTerms) continue;
    if ((post.intentScore ?? 0) < options.confidentIntentScore && !incident.terms.slice(0, options.leadTerms).some((t) => terms?.has(t))) continue;
    if (!best || shared.length > best.shared.length || (shared.length === best.shared.length && incident.lastMemberAt > best.incident.lastMemberAt)) best = { incident, shared };
  }
  return best ? { incidentId: best.incident.id, sharedTerms: best.shared } : null;
}
