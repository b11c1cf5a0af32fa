/** Picks the few readable features that pushed a linear model towards its label. */
import type { FeatureVector } from './features/extract.js';
import type { WeightView } from './scorer.js';

const READABLE_RE = /[\p{L}\p{N}\p{Extended_Pictographic}?!]/u;

/** READABLE_RE.test, answered without the regex for the common ASCII names: an ASCII letter, digit, ? or ! decides. */
function isReadable(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f) return READABLE_RE.test(name);
    if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true;
    if ((c >= 0x30 && c <= 0x39) || c === 0x3f || c === 0x21) return true;
  }
  return false;
}

// Scratch for one call's contributions: a typed array per call cost more than the arithmetic.
let contributions = new Float32Array(1024);

/**
 * How much each readable feature pushed class `target` above the mean of the model's other classes, into
 * `contributions[0 … named)`.
 */
function computeContributions(view: WeightView, features: FeatureVector, target: number): void {
  const { weights, scales, stride, offset, classes, mask } = view;
  const { hashes, values, named } = features;
  if (contributions.length < named)
    contributions = new Float32Array(Math.max(named, 2 * contributions.length));
  const out = contributions;
  const targetScale = scales[offset + target] as number;
  const skipFirstRow = view.emptyFirstRow === true;
  for (let i = 0; i < named; i++) {
    const row = (hashes[i] as number) & mask;
    // A row of zeros pushes no class: its contribution is 0, as the loop below would find.
    if (skipFirstRow && row === 0) {
      out[i] = 0;
      continue;
    }
    const base = row * stride + offset;
    let others = 0;
    for (let c = 0; c < classes; c++)
      if (c !== target) others += (weights[base + c] as number) * (scales[offset + c] as number);
    const mean = classes > 1 ? others / (classes - 1) : 0;
    out[i] = (values[i] as number) * ((weights[base + target] as number) * targetScale - mean);
  }
}

export function topFeatures(view: WeightView, features: FeatureVector, target: number, limit = 3): string[] {
  computeContributions(view, features, target);
  const scores = contributions;
  // One pass keeping the best `limit` indices, strongest first; names are built only for the winners.
  const best: number[] = [];
  for (let i = 0; i < features.named; i++) {
    const value = scores[i] as number;
    if (value <= 0) continue;
    if (best.length === limit && value <= (scores[best[limit - 1] as number] as number)) continue;
    // Commas and full stops carry weight in the models but explain nothing to a person.
    if (!isReadable(features.nameOf(i))) continue;
    let at = best.length;
    while (at > 0 && (scores[best[at - 1] as number] as number) < value) at--;
    best.splice(at, 0, i);
    if (best.length > limit) best.pop();
  }
  const names: string[] = [];
  for (const i of best) {
    const name = features.nameOf(i);
    if (!names.includes(name)) names.push(name);
  }
  return names.length > 0 ? names : ['[no distinctive words: prior]'];
}
