/** The learner settings every model is trained with, chosen on validation data only (see models/README.md). */
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
/** Intents: one learner for the default taxonomy, a company's own intents, Banking77 and CLINC150. */
export const INTENT_LEARNER: Partial<SoftmaxOptions> = {
  dimBits: 17,
  epochs: 10,
  learningRate: 0.1,
  l2: 1e-4,
};
/** Small seed sets need more passes; the hash space matches sentiment's so the shipped models fuse into one matrix. */
export const SMALL_INTENT_LEARNER: Partial<SoftmaxOptions> = { dimBits: 17, epochs: 20, learningRate: 0.2 };

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

/** Picks the learner by data size: big public sets get more buckets than a few hundred seed examples. */
export function intentLearnerFor(examples: number): Partial<SoftmaxOptions> {
  return examples >= 3000 ? INTENT_LEARNER : SMALL_INTENT_LEARNER;
}
