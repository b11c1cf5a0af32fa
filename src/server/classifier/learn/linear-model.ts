import type { IntentFeatureConfig } from '../features/intent-features.js';

/** A multinomial linear model over hashed features: weights are feature-major so one feature's classes sit side by side. */

export interface SparseInput {
  hashes: Uint32Array;
  values: Float32Array;
}

export interface LinearModel {
  labels: string[];
  /** The model keeps the low `dimBits` bits of each feature hash. */
  dimBits: number;
  /** `2^dimBits × labels.length`, feature-major. */
  weights: Float32Array;
  bias: Float32Array;
  /**
   * Set on models of the intent learner: they read their own TF-IDF features (features/intent-features.ts)
   * rather than the vector the sentiment and abuse models share.
   */
  intentFeatures?: { idf: Float32Array; config: IntentFeatureConfig };
  /** The Int16 weights and per-class scales a model file stored, kept for scorers that work in Int16. */
  quantised?: { weights: Int16Array; scales: Float32Array };
}

/** Raw class scores (logits) of one input. */
export function scoreLogits(model: LinearModel, input: SparseInput, out?: Float32Array): Float32Array {
  const classes = model.labels.length;
  const logits = out ?? new Float32Array(classes);
  logits.set(model.bias);
  const mask = (1 << model.dimBits) - 1;
  const { weights } = model;
  const { hashes, values } = input;
  for (let i = 0; i < hashes.length; i++) {
    const v = values[i] as number;
    const base = ((hashes[i] as number) & mask) * classes;
    for (let c = 0; c < classes; c++) logits[c] = (logits[c] as number) + v * (weights[base + c] as number);
  }
  return logits;
}

/** Softmax in place; returns the index of the most probable class. */
export function softmaxInPlace(logits: Float32Array): number {
  let best = 0;
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) {
    const z = logits[c] as number;
    if (z > max) {
      max = z;
      best = c;
    }
  }
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    const e = Math.exp((logits[c] as number) - max);
    logits[c] = e;
    sum += e;
  }
  for (let c = 0; c < logits.length; c++) logits[c] = (logits[c] as number) / sum;
  return best;
}

export function predictProba(model: LinearModel, input: SparseInput): { probs: Float32Array; best: number } {
  const probs = scoreLogits(model, input);
  const best = softmaxInPlace(probs);
  return { probs, best };
}
