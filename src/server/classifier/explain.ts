/** Picks the few readable features that pushed a linear model towards its label. */
import type { FeatureVector } from './features/extract.js';
import { featureContributions, type LinearModel } from './learn/linear-model.js';

const READABLE_RE = /[\p{L}\p{N}\p{Extended_Pictographic}?!]/u;

export function topFeatures(model: LinearModel, features: FeatureVector, target: number, limit = 3): string[] {
  const contributions = featureContributions(model, features, features.named, target);
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
  return [...new Set(best.map((i) => features.nameOf(i)))];
}
