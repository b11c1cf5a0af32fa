/** Picks the few readable features that pushed a linear model towards its label. */
import type { FeatureVector } from './features/extract.js';
import type { WeightView } from './scorer.js';

const READABLE_RE = /[\p{L}\p{N}\p{Extended_Pictographic}?!]/u;

/** How much each readable feature pushed class `target` above the mean of the model's other classes. */
function contributionsOf(view: WeightView, features: FeatureVector, target: number): Float32Array {
  const { weights, scales, stride, offset, classes, mask } = view;
  const out = new Float32Array(features.named);
  for (let i = 0; i < out.length; i++) {
    const base = ((features.hashes[i] as number) & mask) * stride + offset;
    let others = 0;
    for (let c = 0; c < classes; c++)
      if (c !== target) others += (weights[base + c] as number) * (scales[offset + c] as number);
    const mean = classes > 1 ? others / (classes - 1) : 0;
    out[i] =
      (features.values[i] as number) *
      ((weights[base + target] as number) * (scales[offset + target] as number) - mean);
  }
  return out;
}

export function topFeatures(view: WeightView, features: FeatureVector, target: number, limit = 3): string[] {
  const contributions = contributionsOf(view, features, target);
  // One pass keeping the best `limit` indices, strongest first; names are built only for the winners.
  const best: number[] = [];
  for (let i = 0; i < contributions.length; i++) {
    const value = contributions[i] as number;
    if (value <= 0) continue;
    if (best.length === limit && value <= (contributions[best[limit - 1] as number] as number)) continue;
    // Commas and full stops carry weight in the models but explain nothing to a person.
    if (!READABLE_RE.test(features.nameOf(i))) continue;
    let at = best.length;
    while (at > 0 && (contributions[best[at - 1] as number] as number) < value) at--;
    best.splice(at, 0, i);
    if (best.length > limit) best.pop();
  }
  const names = [...new Set(best.map((i) => features.nameOf(i)))];
  return names.length > 0 ? names : ['[no distinctive words: prior]'];
}
