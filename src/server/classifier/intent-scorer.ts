/** Scores the intent model: models of the intent learner read their own features; older models read the shared vector. */
import type { FeatureVector } from './features/extract.js';
import { countIntentFeatures, normalise, sublinear } from './features/intent-features.js';
import { scoreLogits, softmaxInPlace, type LinearModel } from './learn/linear-model.js';
import type { ModelOutput, WeightView } from './scorer.js';

export interface IntentScoring {
  prediction: ModelOutput;
  view: WeightView;
  /** The vector the intent model read, for explanations. */
  features: FeatureVector;
}

export type IntentScorer = (shared: FeatureVector) => IntentScoring;

export function createIntentScorer(model: LinearModel): IntentScorer {
  const spec = model.intentFeatures;
  return spec ? createOwnFeatureScorer(model, spec) : createSharedFeatureScorer(model);
}

/** Models from before the intent learner: they read the vector sentiment and abuse share. */
function createSharedFeatureScorer(model: LinearModel): IntentScorer {
  const classes = model.labels.length;
  const view: WeightView = {
    weights: model.weights,
    scales: new Float32Array(classes).fill(1),
    stride: classes,
    offset: 0,
    classes,
    mask: (1 << model.dimBits) - 1,
  };
  return (shared) => {
    const probs = scoreLogits(model, shared);
    return { prediction: { probs, best: softmaxInPlace(probs) }, view, features: shared };
  };
}

/** Int16 columns with one scale each, from the model file's own quantisation when the model was read from one. */
function quantised(model: LinearModel): { weights: Int16Array; scales: Float32Array } {
  if (model.quantised) return model.quantised;
  const classes = model.labels.length;
  const scales = new Float32Array(classes);
  model.weights.forEach((w, k) => {
    const c = k % classes;
    scales[c] = Math.max(scales[c] as number, Math.abs(w));
  });
  for (let c = 0; c < classes; c++) scales[c] = (scales[c] as number) / 32767 || 1;
  const weights = new Int16Array(model.weights.length);
  model.weights.forEach((w, k) => (weights[k] = Math.round(w / (scales[k % classes] as number))));
  return { weights, scales };
}

/**
 * Intent-learner models. Each bucket's idf sits in front of its class weights in one Int16 row, so weighing a feature
 * and scoring it cost one memory access, and the matrix is half the bytes of Float32.
 */
function createOwnFeatureScorer(
  model: LinearModel,
  spec: NonNullable<LinearModel['intentFeatures']>,
): IntentScorer {
  const classes = model.labels.length;
  const stride = classes + 1;
  const dim = 1 << model.dimBits;
  const q = quantised(model);
  const idfScale = spec.idf.reduce((m, v) => Math.max(m, v), 0) / 32767 || 1;
  const rows = new Int16Array(dim * stride);
  for (let f = 0; f < dim; f++) {
    rows[f * stride] = Math.round((spec.idf[f] as number) / idfScale);
    rows.set(q.weights.subarray(f * classes, (f + 1) * classes), f * stride + 1);
  }
  const scales = new Float32Array(stride);
  scales[0] = idfScale;
  scales.set(q.scales, 1);
  const view: WeightView = { weights: rows, scales, stride, offset: 1, classes, mask: dim - 1 };
  let values = new Float32Array(1024);
  const sums = new Float32Array(classes);
  return (shared) => {
    const counted = countIntentFeatures(shared.tokenized, model.dimBits, spec.config, true);
    const { buckets, counts, named } = counted;
    const n = buckets.length;
    if (values.length < n) values = new Float32Array(Math.max(n, 2 * values.length));
    for (let i = 0; i < n; i++)
      values[i] =
        sublinear(counts[i] as number) * idfScale * (rows[(buckets[i] as number) * stride] as number);
    const vector = values.subarray(0, n);
    normalise(vector, 0, named, 1);
    normalise(vector, named, n, spec.config.charWeight);
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const v = vector[i] as number;
      const base = (buckets[i] as number) * stride + 1;
      for (let c = 0; c < classes; c++) sums[c] = (sums[c] as number) + v * (rows[base + c] as number);
    }
    const probs = new Float32Array(classes);
    for (let c = 0; c < classes; c++)
      probs[c] = (sums[c] as number) * (q.scales[c] as number) + (model.bias[c] as number);
    const features: FeatureVector = {
      hashes: buckets,
      values: vector,
      named,
      nameOf: counted.nameOf,
      tokenized: shared.tokenized,
    };
    return { prediction: { probs, best: softmaxInPlace(probs) }, view, features };
  };
}
