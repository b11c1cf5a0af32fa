/** Scores a message with the sentiment, abusive and intent models in one pass over its features where they share a hash space. */
import { fuseModels, scoreFused } from './learn/fused-model.js';
import { scoreLogits, softmaxInPlace, type LinearModel, type SparseInput } from './learn/linear-model.js';

export interface ModelOutput {
  probs: Float32Array;
  best: number;
}

export type ScoredModels<K extends string> = Record<K, ModelOutput>;

export function createScorer<K extends string>(models: Record<K, LinearModel>): (input: SparseInput) => ScoredModels<K> {
  const names = Object.keys(models) as K[];
  const first = models[names[0] as K];
  const fusedNames = names.filter((n) => models[n].dimBits === first.dimBits);
  const aloneNames = names.filter((n) => models[n].dimBits !== first.dimBits);
  const fused = fuseModels(fusedNames.map((n) => models[n]));
  const logits = new Float32Array(fused.stride);
  return (input) => {
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
}
