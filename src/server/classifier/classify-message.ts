/** The understand stages for one message, over features computed once and shared by every model. */
import { findCues } from './cues.js';
import { explainTruncation } from './explain-truncation.js';
import { topFeatures } from './explain.js';
import { DEFAULT_FEATURES, extractFeatures } from './features/extract.js';
import { MAX_TEXT_CHARS } from './features/tokenize.js';
import { detectLanguage } from './language.js';
import type { ClassifierModels } from './model-store.js';
import type { IntentScorer } from './intent-scorer.js';
import type { Scorer } from './scorer.js';
import type { Classification, Explanation, SentimentLabel, Urgency } from './types.js';

/** Intents that ask the brand to do something. */
const ACTIONABLE = new Set([
  'outage',
  'billing',
  'account_access',
  'order_delivery',
  'product_defect',
  'how_to',
  'complaint',
  'cancellation',
  'promotion',
  'privacy_security',
]);
const SERVICE_DOWN = new Set(['outage', 'account_access', 'privacy_security']);
const QUIET = new Set(['praise', 'other', 'promotion', 'spam']);

export interface ModelScorers {
  shared: Scorer<'sentiment' | 'abusive'>;
  intent: IntentScorer;
}

export function classifyMessage(
  models: ClassifierModels,
  scorers: ModelScorers,
  input: unknown,
): Classification {
  const raw = typeof input === 'string' ? input : input == null ? '' : String(input);
  const text = raw.length > MAX_TEXT_CHARS ? raw.slice(0, MAX_TEXT_CHARS) : raw;
  const features = extractFeatures(text, DEFAULT_FEATURES, true);
  const { tokenized } = features;
  const explanations: Explanation[] = [];
  const scorer = scorers.shared;
  const scored = scorer.score(features);

  const sentimentPrediction = scored.sentiment;
  const sentimentLabel = models.sentiment.labels[sentimentPrediction.best] as SentimentLabel;
  const scores = { negative: 0, neutral: 0, positive: 0 } as Record<SentimentLabel, number>;
  models.sentiment.labels.forEach(
    (label, c) => (scores[label as SentimentLabel] = sentimentPrediction.probs[c] as number),
  );
  explanations.push({
    label: 'sentiment',
    features: topFeatures(scorer.views.sentiment, features, sentimentPrediction.best),
  });

  const intent = scorers.intent(features);
  const intentPrediction = intent.prediction;
  const intentScore = intentPrediction.probs[intentPrediction.best] as number;
  const confident = intentScore >= models.intentMinScore;
  const intentLabel = confident ? (models.intent.labels[intentPrediction.best] as string) : 'other';
  explanations.push({
    label: 'intent',
    features: confident
      ? topFeatures(intent.view, intent.features, intentPrediction.best)
      : ['[low confidence]'],
  });

  const abusivePrediction = scored.abusive;
  const abusiveIndex = models.abusive.labels.indexOf('abusive');
  const abusive = (abusivePrediction.probs[abusiveIndex] as number) >= models.abusiveThreshold;
  if (abusive)
    explanations.push({
      label: 'abusive',
      features: topFeatures(scorer.views.abusive, features, abusiveIndex),
    });

  const { risks, escalationCues, spamCue, urgentCue } = findCues(text.toLowerCase());
  const spam = spamCue !== undefined || (intentLabel === 'spam' && intentScore >= 0.5);
  if (spam) explanations.push({ label: 'spam', features: spamCue ? [spamCue] : ['[spam intent]'] });

  if (escalationCues.length > 0) explanations.push({ label: 'escalation', features: escalationCues });

  const negative = sentimentLabel === 'negative';
  const asks = tokenized.questions > 0;
  let urgency: Urgency = 'normal';
  let urgencyWhy = '[default]';
  if (risks.includes('safety')) [urgency, urgencyWhy] = ['critical', 'safety risk'];
  else if (urgentCue && negative && SERVICE_DOWN.has(intentLabel))
    [urgency, urgencyWhy] = ['critical', `"${urgentCue}" + ${intentLabel}`];
  else if (risks.some((r) => r === 'regulator' || r === 'legal' || r === 'press'))
    [urgency, urgencyWhy] = ['high', 'escalation risk'];
  else if (urgentCue) [urgency, urgencyWhy] = ['high', `"${urgentCue}"`];
  else if (negative && scores.negative >= 0.8 && intentScore >= 0.5 && SERVICE_DOWN.has(intentLabel))
    [urgency, urgencyWhy] = ['high', `angry + ${intentLabel}`];
  else if (spam || (QUIET.has(intentLabel) && !negative && !asks))
    [urgency, urgencyWhy] = ['low', spam ? 'spam' : intentLabel];
  explanations.push({ label: 'urgency', features: [urgencyWhy] });

  const actionable = models.intentSource === 'custom' ? !QUIET.has(intentLabel) : ACTIONABLE.has(intentLabel);
  // Abuse alone does not silence a customer: an angry, sweary complaint still needs an answer.
  const needsResponse = !spam && (asks || actionable || negative || risks.length > 0);
  if (raw.length > MAX_TEXT_CHARS) explanations.push(explainTruncation(raw.length));

  return {
    language: detectLanguage(text, tokenized.tokens),
    sentiment: { label: sentimentLabel, scores },
    intent: { label: intentLabel, score: intentScore },
    urgency,
    needsResponse,
    spam,
    abusive,
    escalation: risks,
    explanations,
    modelVersion: models.version,
  };
}
