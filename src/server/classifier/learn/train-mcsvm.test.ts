import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../features/extract.js';
import { predictProba } from './linear-model.js';
import { trainCrammerSinger } from './train-mcsvm.js';
import { DEFAULT_SVM } from './train-svm.js';

const rows: [string, number][] = [
  ['the package arrived late', 0],
  ['my parcel never came', 0],
  ['where is my delivery', 0],
  ['you charged me twice', 1],
  ['refund my payment', 1],
  ['wrong amount on my bill', 1],
  ['i forgot my password', 2],
  ['cannot log in to my account', 2],
  ['reset my login please', 2],
];
const inputs = rows.map(([t]) => extractFeatures(t));
const targets = Int32Array.from(rows.map(([, y]) => y));
const labels = ['delivery', 'billing', 'account'];
const options = { ...DEFAULT_SVM, dimBits: 12, seed: 5 };

describe('Crammer–Singer SVM', () => {
  it('separates its training examples and generalises to near paraphrases', () => {
    const model = trainCrammerSinger(inputs, targets, labels, options);
    inputs.forEach((x, i) => expect(predictProba(model, x).best).toBe(targets[i]));
    expect(predictProba(model, extractFeatures('my parcel is late')).best).toBe(0);
    expect(predictProba(model, extractFeatures('reset my password')).best).toBe(2);
  });

  it('keeps every feature’s class weights summing to zero, as the dual constraint demands', () => {
    const model = trainCrammerSinger(inputs, targets, labels, options);
    const classes = labels.length;
    let largest = 0;
    for (let f = 0; f < model.weights.length / classes; f++) {
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const w = model.weights[f * classes + c]!;
        sum += w;
        largest = Math.max(largest, Math.abs(w));
      }
      expect(Math.abs(sum)).toBeLessThan(1e-4);
    }
    expect(largest).toBeGreaterThan(0.01);
    expect(Math.abs(model.bias.reduce((a, b) => a + b, 0))).toBeLessThan(1e-4);
  });

  it('is reproducible from a seed', () => {
    const a = trainCrammerSinger(inputs, targets, labels, options);
    const b = trainCrammerSinger(inputs, targets, labels, options);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
  });
});
