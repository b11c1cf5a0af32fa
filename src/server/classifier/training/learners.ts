/** The softmax learner settings of the sentiment and abuse models (intents: learn/intent-learner.ts), chosen on validation data only (see models/README.md). */
import { extractFeatures, type FeatureVector } from '../features/extract.js';
import type { LinearModel } from '../learn/linear-model.js';
import { trainSoftmax, type SoftmaxOptions } from '../learn/train-softmax.js';
import type { LabelledText } from './datasets.js';

/** Sentiment: balanced class weights lift recall of the rarer negative tweets; 3 gentle epochs avoid overfitting. */
export const SENTIMENT_LEARNER: Partial<SoftmaxOptions> = {
  dimBits: 17,
  epochs: 3,
  learningRate: 0.05,
  classWeighting: 'balanced',
};
export const ABUSIVE_LEARNER: Partial<SoftmaxOptions> = {
  dimBits: 17,
  epochs: 3,
  learningRate: 0.05,
  classWeighting: 'balanced',
};
export interface Featurised {
  inputs: FeatureVector[];
  targets: Int32Array;
  labels: string[];
}

/** Featurises rows; labels are sorted so class order never depends on row order. */
export function featurise(rows: readonly LabelledText[], labels?: string[]): Featurised {
  const classes = labels ?? [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(classes.map((label, i) => [label, i]));
  const kept = rows.filter((r) => index.has(r.label));
  return {
    inputs: kept.map((r) => extractFeatures(r.text)),
    targets: Int32Array.from(kept.map((r) => index.get(r.label) as number)),
    labels: classes,
  };
}

export function trainOn(data: Featurised, learner: Partial<SoftmaxOptions>, seed: number): LinearModel {
  return trainSoftmax(data.inputs, data.targets, data.labels, { ...learner, seed });
}
