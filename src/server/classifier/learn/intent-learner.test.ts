import { describe, expect, it } from 'vitest';
import {
  countIntentFeatures,
  CUSTOM_INTENT_FEATURES,
  INTENT_FEATURES,
  weighIntentFeatures,
  type IntentFeatureConfig,
} from '../features/intent-features.js';
import { tokenize } from '../features/tokenize.js';
import { predictIntent, trainIntentModel } from './intent-learner.js';
import { decodeModel, encodeModel } from './model-file.js';

const rows = [
  ['the package arrived late', 'delivery'],
  ['my parcel never came', 'delivery'],
  ['where is my delivery', 'delivery'],
  ['courier lost the box', 'delivery'],
  ['you charged me twice', 'billing'],
  ['refund my payment', 'billing'],
  ['wrong amount on my bill', 'billing'],
  ['invoice fee is too high', 'billing'],
].map(([text, label]) => ({ text: text!, label: label! }));

describe('intent features', () => {
  it('merges repeated features per bucket and names the readable ones', () => {
    const counted = countIntentFeatures(tokenize('card card arrived'), 12);
    const names = Array.from({ length: counted.named }, (_, i) => counted.nameOf(i));
    expect(names).toEqual(
      expect.arrayContaining([
        'card',
        'card card',
        'card arrived',
        'card … arrived',
        '<s> card',
        'arrived </s>',
      ]),
    );
    const card = names.indexOf('card');
    expect(counted.counts[card]).toBe(2);
    expect(new Set(counted.buckets).size).toBe(counted.buckets.length);
    const vector = weighIntentFeatures(counted, undefined, 12);
    let words = 0;
    let chars = 0;
    vector.values.forEach((v, i) => (i < vector.named ? (words += v * v) : (chars += v * v)));
    expect(words).toBeCloseTo(1, 5);
    expect(chars).toBeCloseTo(INTENT_FEATURES.charWeight ** 2, 5);
  });

  it('pairs Porter stems under the custom features, so word forms the light stems miss share a pair', () => {
    const pairs = (text: string, config: IntentFeatureConfig): number[] => {
      const counted = countIntentFeatures(tokenize(text), 16, config);
      return Array.from({ length: counted.named }, (_, i) => i)
        .filter((i) => counted.nameOf(i).includes(' … '))
        .map((i) => counted.buckets[i]!);
    };
    // "charges" → "charg" and "charged" → "charg" under Porter; the light stems are "charge" and "charg".
    expect(pairs('charges twice', CUSTOM_INTENT_FEATURES)).toEqual(
      pairs('charged twice', CUSTOM_INTENT_FEATURES),
    );
    expect(pairs('charges twice', INTENT_FEATURES)).not.toEqual(pairs('charged twice', INTENT_FEATURES));
    // Order does not matter, as for the light stems.
    expect(pairs('twice charged', CUSTOM_INTENT_FEATURES)).toEqual(
      pairs('charged twice', CUSTOM_INTENT_FEATURES),
    );
  });

  it('gives an empty text an empty vector', () => {
    const vector = weighIntentFeatures(countIntentFeatures(tokenize(''), 12), undefined, 12);
    expect(vector.values.length).toBe(0);
  });
});

describe('intent learner', () => {
  it('fits a small problem and generalises to near paraphrases', () => {
    const model = trainIntentModel(rows, { dimBits: 12, seed: 1 });
    expect(model.labels).toEqual(['billing', 'delivery']);
    const delivery = predictIntent(model, tokenize('my parcel is late'));
    expect(model.labels[delivery.best]).toBe('delivery');
    expect(delivery.probs[0]! + delivery.probs[1]!).toBeCloseTo(1, 5);
    expect(model.labels[predictIntent(model, tokenize('charged twice on my bill')).best]).toBe('billing');
  });

  it('fits with each ensemble member alone, the class centroids included', () => {
    const none = {
      jointWeight: 0,
      wordModelWeight: 0,
      crammerSingerWeight: 0,
      wordCrammerSingerWeight: 0,
      centroidWeight: 0,
    };
    for (const member of Object.keys(none)) {
      const model = trainIntentModel(rows, { ...none, [member]: 1, dimBits: 12, seed: 1 });
      expect(model.labels[predictIntent(model, tokenize('my parcel is late')).best], member).toBe('delivery');
      expect(model.labels[predictIntent(model, tokenize('charged twice on my bill')).best], member).toBe('billing');
    }
    expect(() => trainIntentModel(rows, { ...none, dimBits: 10 })).toThrow(/at least one member/);
  });

  it('is reproducible from a seed', () => {
    const a = trainIntentModel(rows, { dimBits: 10, seed: 7 });
    const b = trainIntentModel(rows, { dimBits: 10, seed: 7 });
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
  });

  it('round-trips its idf and feature settings through a model file', () => {
    const model = trainIntentModel(rows, { dimBits: 10, seed: 3 });
    const back = decodeModel(encodeModel(model, { version: 'x' })).model;
    expect(back.intentFeatures?.config).toEqual(model.intentFeatures?.config);
    const idf = model.intentFeatures!.idf;
    const max = idf.reduce((m, v) => Math.max(m, v), 0);
    back.intentFeatures!.idf.forEach((v, i) =>
      expect(Math.abs(v - idf[i]!)).toBeLessThanOrEqual(max / 65535),
    );
    const text = tokenize('where is my parcel');
    expect(predictIntent(back, text).best).toBe(predictIntent(model, text).best);
  });
});
