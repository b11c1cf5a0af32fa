/** Hand-written cue patterns (matched against lower-cased text) for the rare, high-stakes labels where a missed case costs more than a false alarm. */

export type EscalationRisk = 'regulator' | 'legal' | 'press' | 'cancellation' | 'safety';

export const ESCALATION_CUES: Record<EscalationRisk, RegExp> = {
  regulator:
    /\b(ombudsman|regulator|ofcom|ofgem|ofwat|fca|fcc|ftc|cfpb|bbb|better business bureau|trading standards|attorney general|consumer (protection|rights|affairs)|caa|ico|data protection authority|report(ing)? (you|this) to)\b/,
  legal:
    /\b(lawyers?|attorneys?|solicitors?|sue|suing|lawsuit|legal action|legal advice|take (you|this) to court|small claims|class action|court|litigation|my rights under)\b/,
  press:
    /\b(journalists?|reporters?|the press|newspapers?|the media|go(ing)? viral|bbc|cnn|watchdog|tv programme|news (desk|channel)|contact(ing)? the news|tell(ing)? everyone)\b/,
  cancellation:
    /\b(cancel+(ing|ed)?( my| the| our| this)? (subscription|contract|account|membership|plan|service|broadband|policy|line|direct debit|everything)|cancel+ing (tomorrow|today|now)|close my account|terminate|termination|switch(ing)? (to|provider)|leav(e|ing) (you|for)|moving to (your )?competitor|unsubscribe|end my (contract|subscription|membership)|lost a customer)\b/,
  safety:
    /\b(fire|smoke|smoking|burn(ed|t|ing|s)?|explod(ed|ing|e)|electric(al)? shock|sparks?|injur(ed|y|ies)|hurt|bleeding|hospital|a&e|choking|carbon monoxide|gas leak|unsafe|dangerous|hazard|overheat(ed|ing)?|melted|poison(ed|ing)?|allergic reaction|suicid(e|al)|kill myself|self[- ]harm|threat(en(ed|ing)?)?|assault(ed)?)\b/,
};

export const ESCALATION_ORDER: readonly EscalationRisk[] = [
  'regulator',
  'legal',
  'press',
  'cancellation',
  'safety',
];

/** Commercial spam signals that the seed intent model sees too rarely to learn alone. */
export const SPAM_CUES: RegExp[] = [
  /\b(bit\.ly|tinyurl|t\.co|goo\.gl|ow\.ly)\//,
  /\b(crypto|bitcoin|forex|binary options|nft) (signals?|profits?|returns?|trading|giveaway)\b/,
  /\b(free|cheap) (followers|likes|gift ?cards?|iphone|crypto)\b/,
  /\b(click|visit|check) (the )?link in (my|our) bio\b/,
  /\b(earn|make) \$?\d[\d,]* (a|per) (day|week|hour|month)\b/,
  /\b(sub4sub|follow4follow|f4f|dm me for (promo|collab))\b/,
  /\b(guaranteed (returns?|profits?)|100% legit)\b/,
];

/** Words that ask for speed or describe harm right now. */
export const URGENT_CUE =
  /\b(urgent(ly)?|asap|emergency|immediately|right now|now!|today!|critical|stranded|life support|medical|no heating|no heat|no power|without power|vulnerable|elderly|disabled|baby|newborn|deadline|losing money|business (is )?down)\b/;

export function findEscalations(text: string): { risks: EscalationRisk[]; cues: string[] } {
  const risks: EscalationRisk[] = [];
  const cues: string[] = [];
  for (const risk of ESCALATION_ORDER) {
    const match = ESCALATION_CUES[risk].exec(text);
    if (match) {
      risks.push(risk);
      cues.push(`${risk}: "${match[0]}"`);
    }
  }
  return { risks, cues };
}

export function findSpamCue(text: string): string | undefined {
  for (const cue of SPAM_CUES) {
    const match = cue.exec(text);
    if (match) return match[0];
  }
  return undefined;
}

/**
 * Every cue above as one alternation: it matches exactly when one of them would. Most messages have no cue, and one
 * scan that says so costs less than the thirteen scans that would each say it.
 */
const ANY_CUE = new RegExp(
  [...ESCALATION_ORDER.map((risk) => ESCALATION_CUES[risk]), ...SPAM_CUES, URGENT_CUE]
    .map((re) => `(?:${re.source})`)
    .join('|'),
);

export interface Cues {
  risks: EscalationRisk[];
  /** `risk: "matched words"`, one per risk found. */
  escalationCues: string[];
  spamCue: string | undefined;
  urgentCue: string | undefined;
}

/** Escalation, spam and urgency cues of a lower-cased text. */
export function findCues(text: string): Cues {
  if (!ANY_CUE.test(text)) return { risks: [], escalationCues: [], spamCue: undefined, urgentCue: undefined };
  const { risks, cues } = findEscalations(text);
  return { risks, escalationCues: cues, spamCue: findSpamCue(text), urgentCue: URGENT_CUE.exec(text)?.[0] };
}
