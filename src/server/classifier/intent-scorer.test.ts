import { describe, expect, it } from 'vitest';
import { topFeatures } from './explain.js';
import { extractFeatures } from './features/extract.js';
import { tokenize } from './features/tokenize.js';
import { createIntentScorer } from './intent-scorer.js';
import { predictIntent, trainIntentModel } from './learn/intent-learner.js';

const rows = [
  ['the package arrived late', 'delivery'],
  ['my parcel never came', 'delivery'],
  ['where is my delivery', 'delivery'],
  ['you charged me twice', 'billing'],
  ['refund my payment', 'billing'],
  ['wrong amount on my bill', 'billing'],
  ['I cannot log in to my account', 'access'],
  ['password reset link does not work', 'access'],
].map(([text, label]) => ({ text: text!, label: label! }));

describe('intent scorer', () => {
  const model = trainIntentModel(rows, { dimBits: 12, seed: 3 });
  const score = createIntentScorer(model);

  it('keeps rows for the trained buckets only and scores as the full model does', () => {
    for (const text of [
      'my parcel is late',
      'charged twice on my bill',
      'reset my password please',
      'zebras quietly juggle xylophones',
      '',
      '!!! ???',
    ]) {
      const expected = predictIntent(model, tokenize(text));
      const got = score(extractFeatures(text, undefined, true)).prediction;
      expect(got.best).toBe(expected.best);
      for (let c = 0; c < model.labels.length; c++) expect(got.probs[c]).toBeCloseTo(expected.probs[c]!, 3);
    }
  });

  it('explains from the compact rows with the words of the text', () => {
    const scored = score(extractFeatures('where is my parcel', undefined, true));
    expect(model.labels[scored.prediction.best]).toBe('delivery');
    const names = topFeatures(scored.view, scored.features, scored.prediction.best);
    expect(names.some((n) => /parcel|where/.test(n))).toBe(true);
  });
});
