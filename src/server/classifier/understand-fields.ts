import { detectPii } from '../../shared/pii/index.js';
import type { Classifier, Urgency } from './types.js';

/** A message as the understand stage reads it. */
export interface TextToUnderstand {
  text: string;
  subject: string | null;
}

/** What the understand stage stores for one message: the columns triage filters on, and the full record as JSON. */
export interface UnderstoodFields {
  language: string;
  sentiment: string;
  /** Positive minus negative probability, in [-1, 1]. */
  sentimentScore: number;
  intent: string;
  intentScore: number;
  urgency: Urgency;
  needsResponse: boolean;
  spam: boolean;
  /** The whole classification with the personal data found (`pii`), as stored on the message. */
  classifications: string;
  /**
   * From the record, for the decide stage's priority when the results are handed to it in the same transaction
   * (reading them back from `classifications` would parse the whole record): the negative sentiment probability
   * and the escalation cues. Not stored apart.
   */
  negative: number;
  escalation: readonly string[];
  modelVersion: string;
}

/**
 * Classifies a batch the way the pipeline records it: the subject (email) is read with the text, personal data is
 * looked for in the text. Pure, so it runs on the worker's thread or on the classifier thread alike.
 */
export const understandTexts = (classifier: Classifier, items: readonly TextToUnderstand[]): UnderstoodFields[] => {
  const results = classifier.classify(items.map((m) => (m.subject ? `${m.subject}\n${m.text}` : m.text)));
  return items.map((m, i) => {
    const c = results[i]!;
    return {
      language: c.language,
      sentiment: c.sentiment.label,
      sentimentScore: c.sentiment.scores.positive - c.sentiment.scores.negative,
      intent: c.intent.label,
      intentScore: c.intent.score,
      urgency: c.urgency,
      needsResponse: c.needsResponse,
      spam: c.spam,
      classifications: JSON.stringify({ ...c, pii: detectPii(m.text) }),
      negative: c.sentiment.scores.negative,
      escalation: c.escalation,
      modelVersion: c.modelVersion,
    };
  });
};
