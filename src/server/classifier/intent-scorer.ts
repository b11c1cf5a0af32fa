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

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Intent-learner models. Only buckets some training text had carry weights (a few per cent of the hash space for a
 * seed set), so rows are kept for those alone, found by rank in a bitset, each row's idf in front of its class weights
 * in one Int16 row. Row 0 stands for every other bucket (the unseen idf, no weights). Bitset and rows fit in L2 where
 * the full matrix did not, and scoring skips the weight loop for unseen buckets: the outputs are the same.
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
  const idfOf = (f: number): number => Math.round((spec.idf[f] as number) / idfScale);
  // Buckets no training text had share the largest idf (document frequency 0) and all-zero weights.
  const unseenIdf = Math.round(spec.idf.reduce((m, v) => Math.max(m, v), 0) / idfScale);
  const kept: number[] = [];
  for (let f = 0; f < dim; f++) {
    let used = idfOf(f) !== unseenIdf;
    for (let c = 0; c < classes && !used; c++) used = q.weights[f * classes + c] !== 0;
    if (used) kept.push(f);
  }
  // Bucket → row as a rank over a bitset of kept buckets: 1 bit per bucket plus a running count per 32 buckets
  // (20 kB for 2^17 buckets, L1-sized), where a row number per bucket took 256 kB.
  const bits = new Int32Array(Math.ceil(dim / 32));
  const ranks = new Int32Array(bits.length);
  const rows = new Int16Array((kept.length + 1) * stride);
  rows[0] = unseenIdf;
  kept.forEach((f, k) => {
    const r = k + 1;
    bits[f >>> 5] = (bits[f >>> 5] as number) | (1 << (f & 31));
    rows[r * stride] = idfOf(f);
    rows.set(q.weights.subarray(f * classes, (f + 1) * classes), r * stride + 1);
  });
  for (let w = 1; w < bits.length; w++) ranks[w] = (ranks[w - 1] as number) + popcount(bits[w - 1] as number);
  const scales = new Float32Array(stride);
  scales[0] = idfScale;
  scales.set(q.scales, 1);
  // Explanations read the same rows: the feature vector handed back holds row indices, not buckets.
  const view: WeightView = {
    weights: rows,
    scales,
    stride,
    offset: 1,
    classes,
    mask: 0x7fffffff,
    emptyFirstRow: true,
  };
  let values = new Float32Array(1024);
  let rowOf = new Uint32Array(1024);
  const sums = new Float32Array(classes);
  return (shared) => {
    const counted = countIntentFeatures(shared.tokenized, model.dimBits, spec.config, true);
    const { buckets, counts, named } = counted;
    const n = buckets.length;
    if (values.length < n) {
      values = new Float32Array(Math.max(n, 2 * values.length));
      rowOf = new Uint32Array(values.length);
    }
    for (let i = 0; i < n; i++) {
      const b = buckets[i] as number;
      const word = bits[b >>> 5] as number;
      const bit = 1 << (b & 31);
      // Kept buckets are rows 1 … in bucket order: 1 + the kept buckets below this one.
      const r = word & bit ? 1 + (ranks[b >>> 5] as number) + popcount(word & (bit - 1)) : 0;
      rowOf[i] = r;
      values[i] = sublinear(counts[i] as number) * idfScale * (rows[r * stride] as number);
    }
    const vector = values.subarray(0, n);
    normalise(vector, 0, named, 1);
    normalise(vector, named, n, spec.config.charWeight);
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rowOf[i] as number;
      if (r === 0) continue;
      const v = vector[i] as number;
      const base = r * stride + 1;
      for (let c = 0; c < classes; c++) sums[c] = (sums[c] as number) + v * (rows[base + c] as number);
    }
    const probs = new Float32Array(classes);
    for (let c = 0; c < classes; c++)
      probs[c] = (sums[c] as number) * (q.scales[c] as number) + (model.bias[c] as number);
    const features: FeatureVector = {
      hashes: rowOf.subarray(0, n),
      values: vector,
      named,
      nameOf: counted.nameOf,
      tokenized: shared.tokenized,
    };
    return { prediction: { probs, best: softmaxInPlace(probs) }, view, features };
  };
}
