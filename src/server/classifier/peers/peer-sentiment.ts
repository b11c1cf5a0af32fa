/** The lexicon libraries Parley's sentiment model is compared with, each mapped to negative/neutral/positive the way its docs suggest. */
import Sentiment from 'sentiment';
import vader from 'vader-sentiment';
import winkSentiment from 'wink-sentiment';
import type { SentimentLabel } from '../types.js';

export interface SentimentSystem {
  name: string;
  label(text: string): SentimentLabel;
}

function bySign(score: number, margin = 0): SentimentLabel {
  if (score > margin) return 'positive';
  if (score < -margin) return 'negative';
  return 'neutral';
}

export function createPeerSentimentSystems(): SentimentSystem[] {
  const afinn = new Sentiment();
  return [
    { name: 'sentiment (AFINN)', label: (text) => bySign(afinn.analyze(text).score) },
    // VADER's authors call compound ≥ 0.05 positive and ≤ -0.05 negative.
    {
      name: 'vader-sentiment',
      label: (text) => bySign(vader.SentimentIntensityAnalyzer.polarity_scores(text).compound, 0.05 - 1e-9),
    },
    { name: 'wink-sentiment', label: (text) => bySign(winkSentiment(text).normalizedScore) },
  ];
}
