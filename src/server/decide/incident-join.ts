import { extractTerms } from '../correlate/incidents/normalise-text.js';

/**
 * During a confirmed outage, a post the incident detector left out can still join it in the decide stage: the
 * detector needs a strong term-by-term likelihood before it groups anything (it must not group unrelated issues),
 * so a short or oddly worded outage report ("no signal since lunch, anyone else?") stays out and waits for an
 * agent while everyone else has the incident's answer. Once a supervisor (or the detector's own confidence)
 * has confirmed the incident, the decide stage also lets in a post that the intent classifier calls an outage,
 * from the same brand, while the incident is still taking members, that shares at least `minSharedTerms` of the
 * incident's terms (the detector's own minimum). On the labelled incident days this recovers about half of the
 * outage posts the detector missed and attaches about 1 in 100 unrelated complaints sent during the outage
 * (simulator.test.ts measures both).
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
}

export interface IncidentJoinOptions {
  /** Intents that report an outage. */
  intents: ReadonlySet<string>;
  minSharedTerms: number;
  /** An incident takes no members this long after its latest one (the detector's quiet close). */
  quietMs: number;
}

export const DEFAULT_INCIDENT_JOIN: Readonly<IncidentJoinOptions> = Object.freeze({ intents: new Set(['outage']), minSharedTerms: 2, quietMs: 30 * 60_000 });

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
    if (!best || shared.length > best.shared.length || (shared.length === best.shared.length && incident.lastMemberAt > best.incident.lastMemberAt)) best = { incident, shared };
  }
  return best ? { incidentId: best.incident.id, sharedTerms: best.shared } : null;
}
