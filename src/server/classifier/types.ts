/** What the understand stage records for one message. Field names are the `parley classify` output contract. */
export type SentimentLabel = 'negative' | 'neutral' | 'positive';
export type Urgency = 'low' | 'normal' | 'high' | 'critical';

export interface Explanation {
  /** Which output this explains: 'sentiment', 'intent', 'urgency', 'spam', 'escalation' … */
  label: string;
  /** The few features (words, n-grams, cues) that drove it, strongest first. */
  features: string[];
}

export interface Classification {
  language: string;
  sentiment: { label: SentimentLabel; scores: Record<SentimentLabel, number> };
  intent: { label: string; score: number };
  urgency: Urgency;
  needsResponse: boolean;
  spam: boolean;
  /** Abuse/toxicity (offensive or hateful language), separate from commercial spam. */
  abusive: boolean;
  /** Escalation risks found: 'regulator' | 'legal' | 'press' | 'cancellation' | 'safety'. */
  escalation: string[];
  explanations: Explanation[];
  /** Version of the model set that produced this, recorded on every message. */
  modelVersion: string;
}

export interface Classifier {
  readonly version: string;
  /** Pure and synchronous: classifies a batch; never throws on any string. */
  classify(texts: readonly string[]): Classification[];
}
