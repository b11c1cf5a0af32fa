import { scorePriority } from '../priority.js';
import { isMarketing } from '../routing.js';
import { ALWAYS_OPEN } from '../sla-calendar.js';
import { computeDue, slaPolicySchema, slaTarget } from '../sla.js';
import type { SimPost } from './traffic.js';

/** The simulated team's first-response policy: around the clock, by priority band. */
export const SIM_SLA_POLICY = slaPolicySchema.parse({
  id: 'sim',
  name: 'Simulated social care',
  businessHours: false,
  defaults: { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 1440 },
  overrides: [
    { band: 'urgent', targets: { firstResponseMinutes: 15 } },
    { band: 'high', targets: { firstResponseMinutes: 30 } },
    { band: 'low', targets: { firstResponseMinutes: 120 } },
  ],
});

const DAY_START = Date.UTC(2026, 10, 23);
const toDate = (minute: number): Date => new Date(DAY_START + minute * 60_000);

export interface SimOutcome {
  post: SimPost;
  /** Needs a reply from the service team (not marketing, not a post that needs no answer). */
  service: boolean;
  /** First-response SLA due time, minutes after midnight (service posts only). */
  dueAt: number;
  /** First response: the full reply, the incident fan-out, or a holding reply sent before the full reply. */
  firstResponseAt: number | null;
  /** When the full answer reached the post (a holding reply is not one); equals `firstResponseAt` without a holding reply. */
  answeredAt: number | null;
  /** A holding reply was sent first (Parley's agents following the composer's nudge). */
  holdingReply: boolean;
  /** That holding reply was sent from the inbox row by an agent who broke off another answer to send it. */
  rowHoldingReply: boolean;
  /** Answered by the incident fan-out rather than one by one. */
  viaIncident: boolean;
  /** Minutes the agent spent writing the reply that answered it; null when no agent wrote one. */
  replyMinutes: number | null;
}

export interface SimAgent {
  id: string;
  languages: string[];
}

/** Everyone writes English; two agents also write Spanish and one French. */
export function simAgents(count: number): SimAgent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `agent-${i + 1}`,
    languages: i === 0 ? ['en', 'es'] : i === 1 ? ['en', 'es', 'fr'] : ['en'],
  }));
}

/** Classifies each post the same way for both policies: who should answer it and by when. */
export function initialOutcomes(posts: readonly SimPost[]): SimOutcome[] {
  return posts.map((post) => {
    const service = post.needsResponse && !isMarketing(post);
    let dueAt = Number.POSITIVE_INFINITY;
    if (service) {
      const band = scorePriority(priorityInput(post, post.at, null)).band;
      const target = slaTarget(SIM_SLA_POLICY, 'first_response', { channel: post.channel, band, tier: post.tier });
      const due = computeDue(target, ALWAYS_OPEN, toDate(post.at), []);
      dueAt = due ? (due.getTime() - DAY_START) / 60_000 : Number.POSITIVE_INFINITY;
    }
    return { post, service, dueAt, firstResponseAt: null, answeredAt: null, holdingReply: false, rowHoldingReply: false, viaIncident: false, replyMinutes: null };
  });
}

export function priorityInput(post: SimPost, now: number, dueAt: number | null) {
  return {
    intent: post.intent,
    urgency: post.urgency,
    negativeSentiment: post.negative,
    escalation: post.escalation,
    waitingMinutes: now - post.at,
    minutesToBreach: dueAt === null ? null : dueAt - now,
    followers: post.followers,
  };
}
