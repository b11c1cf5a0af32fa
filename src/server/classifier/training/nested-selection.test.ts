import { describe, expect, it } from 'vitest';
import { countTexts } from '../learn/intent-learner.js';
import { crossValidationFolds } from './intent-benchmarks.js';
import { crossValidateIntentsNested, WEIGHT_GRID } from './nested-selection.js';

const rows = [
  ['the package arrived late', 'delivery'],
  ['my parcel never came', 'delivery'],
  ['where is my delivery', 'delivery'],
  ['courier lost the box', 'delivery'],
  ['parcel is still not here', 'delivery'],
  ['delivery driver left it outside', 'delivery'],
  ['you charged me twice', 'billing'],
  ['refund my payment', 'billing'],
  ['wrong amount on my bill', 'billing'],
  ['invoice fee is too high', 'billing'],
  ['double charge on my card', 'billing'],
  ['the bill is wrong again', 'billing'],
];

describe('nested selection of the ensemble weights', () => {
  it('chooses weights from the grid inside each training fold and reports the outer folds', () => {
    const labels = ['billing', 'delivery'];
    const counts = countTexts(
      rows.map(([t]) => t!),
      12,
    );
    const targets = Int32Array.from(rows.map(([, l]) => labels.indexOf(l!)));
    const report = crossValidateIntentsNested(counts, targets, labels, {
      folds: 3,
      seed: 5,
      learner: { dimBits: 12 },
    });
    expect(report.perFold).toHaveLength(3);
    expect(report.chosen).toHaveLength(3);
    for (const w of report.chosen) {
      expect(WEIGHT_GRID.crammerSinger).toContain(w.crammerSingerWeight);
      expect(WEIGHT_GRID.wordCrammerSinger).toContain(w.wordCrammerSingerWeight);
      expect(WEIGHT_GRID.centroid).toContain(w.centroidWeight);
      expect(w.crammerSingerWeight + w.wordCrammerSingerWeight + w.centroidWeight).toBeGreaterThan(0);
    }
    expect(report.accuracy).toBeCloseTo(report.perFold.reduce((a, b) => a + b, 0) / 3, 10);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.5);
  });

  it('deals the cross-validation folds as a partition, the same for the same seed', () => {
    const folds = crossValidationFolds(23, 5, 7);
    expect(folds).toHaveLength(5);
    for (const { train, test } of folds) expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(crossValidationFolds(23, 5, 7)).toEqual(folds);
    expect(crossValidationFolds(23, 5, 8)).not.toEqual(folds);
  });
});
