/** Scores a message with the sentiment, abusive and intent models in one pass over its features where they share a hash space. */
import { fuseModels, scoreFused } from './learn/fused-model.js';
import { scoreLogits, softmaxInPlace, type LinearModel, type SparseInput } from './learn/linear-model.js';

export interface ModelOutput {
  probs: Float32Array;
  best: number;
}

export type ScoredModels<K extends string> = Record<K, ModelOutput>;

/** Where one model's weights live: inside the fused matrix or its own. Explanations read through this view. */
export interface WeightView {
  weights: Float32Array | Int16Array;
  /** Per-column scale of `weights` (all ones for a model stored as Float32). */
  scales: Float32Array;
  stride: number;
  offset: number;
  classes: number;
  mask: number;
  /** Row 0 holds no weights (the intent scorer's row for every bucket no training text had). */
  emptyFirstRow?: boolean;
}

export interface Scorer<K extends string> {
  score(input: SparseInput): ScoredModels<K>;
  views: Record<K, WeightView>;
}

export function createScorer<K extends string>(models: Record<K, LinearModel>): Scorer<K> {
  const names = Object.keys(models) as K[];
  const first = models[names[0] as K];
  const fusedNames = names.filter((n) => models[n].dimBits === first.dimBits);
  const aloneNames = names.filter((n) => models[n].dimBits !== first.dimBits);
  const fused = fuseModels(fusedNames.map((n) => models[n]));
  const logits = new Float32Array(fused.stride);
  const views = {} as Record<K, WeightView>;
  fusedNames.forEach((name, k) => {
    const offset = fused.offsets[k] as number;
    views[name] = {
      weights: fused.weights,
      scales: fused.scales,
      stride: fused.stride,
      offset,
      classes: models[name].labels.length,
      mask: (1 << fused.dimBits) - 1,
    };
  });
  for (const name of aloneNames) {
    const m = models[name];
    views[name] = {
      weights: m.weights,
      scales: new Float32Array(fused.stride).fill(1),
      stride: m.labels.length,
      offset: 0,
      classes: m.labels.length,
      mask: (1 << m.dimBits) - 1,
    };
  }
  const score = (input: SparseInput): ScoredModels<K> => {
    scoreFused(fused, input, logits);
    const out = {} as ScoredModels<K>;
    fusedNames.forEach((name, k) => {
      const start = fused.offsets[k] as number;
      const probs = logits.slice(start, start + models[name].labels.length);
      out[name] = { probs, best: softmaxInPlace(probs) };
    });
    for (const name of aloneNames) {
      const probs = scoreLogits(models[name], input);
      out[name] = { probs, best: softmaxInPlace(probs) };
    }
    return out;
  };
  return { score, views };
}
