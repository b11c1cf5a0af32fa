import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../features/extract.js';
import { predictProba } from './linear-model.js';
import { decodeModel, encodeModel } from './model-file.js';
import { trainSoftmax } from './train-softmax.js';

const rows: [string, number][] = [
  ['the package arrived late', 0],
  ['my parcel never came', 0],
  ['where is my delivery', 0],
  ['courier lost the box', 0],
  ['you charged me twice', 1],
  ['refund my payment', 1],
  ['wrong amount on my bill', 1],
  ['invoice fee is too high', 1],
];
const inputs = rows.map(([t]) => extractFeatures(t));
const targets = Int32Array.from(rows.map(([, y]) => y));

describe('softmax learner', () => {
  it('fits a small separable problem and generalises to near paraphrases', () => {
    const model = trainSoftmax(inputs, targets, ['delivery', 'billing'], {
      dimBits: 12,
      epochs: 30,
      learningRate: 0.3,
      seed: 1,
    });
    expect(predictProba(model, extractFeatures('my parcel is late')).best).toBe(0);
    expect(predictProba(model, extractFeatures('charged twice on my bill')).best).toBe(1);
  });

  it('is reproducible from a seed and changes with it', () => {
    const a = trainSoftmax(inputs, targets, ['d', 'b'], { dimBits: 10, epochs: 3, seed: 7 });
    const b = trainSoftmax(inputs, targets, ['d', 'b'], { dimBits: 10, epochs: 3, seed: 7 });
    const c = trainSoftmax(inputs, targets, ['d', 'b'], { dimBits: 10, epochs: 3, seed: 8 });
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(c.weights.buffer))).toBe(false);
  });

  it('round-trips a model file within quantisation error', () => {
    const model = trainSoftmax(inputs, targets, ['d', 'b'], {
      dimBits: 10,
      epochs: 5,
      seed: 3,
      loss: 'hinge',
    });
    const { model: back, meta } = decodeModel(encodeModel(model, { version: 'x' }));
    expect(meta.version).toBe('x');
    expect(back.labels).toEqual(model.labels);
    const max = model.weights.reduce((m, w) => Math.max(m, Math.abs(w)), 0);
    model.weights.forEach((w, i) =>
      expect(Math.abs(w - back.weights[i]!)).toBeLessThanOrEqual(max / 32767 + 1e-7),
    );
    expect(() => decodeModel(Buffer.from('nope'))).toThrow();
  });
});
