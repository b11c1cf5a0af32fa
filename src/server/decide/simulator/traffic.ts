import type { Urgency } from '../../classifier/types.js';
import type { WorkloadModel } from './model.js';
import type { Random } from './random.js';

export interface SimPost {
  id: number;
  /** Minutes after midnight. */
  at: number;
  intent: string;
  language: string;
  channel: string;
  urgency: Urgency;
  negative: number;
  escalation: string[];
  followers: number;
  tier: 'standard' | 'vip';
  needsResponse: boolean;
  /** Part of the outage burst. */
  burst: boolean;
}

// Share of ordinary traffic by intent (percent), and how often each asks for a reply.
const INTENT_MIX = { question: 20, billing: 10, delivery: 10, technical: 9, account_access: 5, complaint: 8, cancellation: 3, privacy_security: 1, refund: 4, praise: 12, promotion: 8, feedback: 4, other: 6 };
const NEEDS_RESPONSE: Record<string, number> = { praise: 0.25, promotion: 0.1, feedback: 0.6, other: 0.5 };
const CHANNEL_MIX = { x: 40, facebook: 20, instagram: 15, email: 10, whatsapp: 10, bluesky: 5 };
const BURST_CHANNEL_MIX = { x: 55, facebook: 15, instagram: 15, email: 5, whatsapp: 5, bluesky: 5 };
const LANGUAGE_MIX = { en: 88, es: 8, fr: 4 };
const SEVERE = new Set(['privacy_security', 'cancellation', 'billing', 'account_access']);

function urgencyFor(intent: string, r: Random): Urgency {
  if (intent === 'praise' || intent === 'promotion') return 'low';
  if (SEVERE.has(intent)) return r.weighted({ normal: 55, high: 40, critical: 5 });
  return r.weighted({ low: 20, normal: 65, high: 15 });
}

function post(id: number, at: number, intent: string, r: Random, burst: boolean): SimPost {
  const positive = intent === 'praise' || intent === 'promotion';
  return {
    id,
    at,
    intent,
    language: r.weighted(LANGUAGE_MIX),
    channel: r.weighted(burst ? BURST_CHANNEL_MIX : CHANNEL_MIX),
    urgency: burst ? r.weighted({ normal: 30, high: 60, critical: 10 }) : urgencyFor(intent, r),
    negative: positive ? r.next() * 0.1 : Math.min(1, 0.4 + r.next() * 0.6),
    escalation: r.chance(burst ? 0.01 : 0.03) ? [r.pick(['regulator', 'legal', 'press', 'cancellation'])] : [],
    // Heavy-tailed reach: median ~120 followers, a few accounts with millions.
    followers: Math.round(r.lognormal(120, 1.8)),
    tier: r.chance(0.03) ? 'vip' : 'standard',
    needsResponse: burst || r.chance(NEEDS_RESPONSE[intent] ?? 0.95),
    burst,
  };
}

/** Samples from a density on [0, span) by rejection against its maximum. */
function sampleShape(r: Random, span: number, shape: (t: number) => number, max: number): number {
  for (;;) {
    const t = r.next() * span;
    if (r.next() * max <= shape(t)) return t;
  }
}

/** One day of traffic: a diurnal bell of ordinary posts plus an outage burst that rises in minutes and decays. */
export function generateDay(model: WorkloadModel, r: Random): SimPost[] {
  const diurnal = (t: number): number => 0.15 + Math.exp(-(((t / 60 - model.peakHour) / 4.5) ** 2));
  const burstShape = (t: number): number => (1 - Math.exp(-t / 2)) * Math.exp(-t / 12);
  const burstMax = Math.max(...Array.from({ length: 301 }, (_, i) => burstShape((i / 300) * model.burstMinutes)));
  const posts: SimPost[] = [];
  let id = 0;
  for (let i = 0; i < model.baselinePostsPerDay; i++) {
    posts.push(post(id++, sampleShape(r, 1440, diurnal, 1.15), r.weighted(INTENT_MIX), r, false));
  }
  for (let i = 0; i < model.burstPosts; i++) {
    posts.push(post(id++, model.burstStartMinute + sampleShape(r, model.burstMinutes, burstShape, burstMax), 'outage', r, true));
  }
  return posts.sort((a, b) => a.at - b.at || a.id - b.id);
}
