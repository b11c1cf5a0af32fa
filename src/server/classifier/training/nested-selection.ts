/**
 * Cross-validation with the intent learner's ensemble weights chosen inside each training fold, never on its test
 * fold: a seeded fifth of the training fold is held out, each member (Crammer–Singer over every feature, the same on
 * the word group, class centroids) is trained on the rest and scores it, and the weights whose summed scores are most
 * accurate there are used to train on the whole training fold. The plain k-fold figure uses INTENT_LEARNER's
 * weights, which were picked on the very folds it reports.
 */
import type { IntentCounts } from '../features/intent-features.js';
import {
  countTexts,
  fitIntentModel,
  INTENT_LEARNER,
  intentVector,
  predictIntent,
  type IntentLearnerOptions,
} from '../learn/intent-learner.js';
import { scoreLogits } from '../learn/linear-model.js';
import { createRng, shuffleInPlace } from '../learn/rng.js';
import { loadBanking77 } from './datasets.js';
import { crossValidationFolds, type CrossValidationReport } from './intent-benchmarks.js';

type Weights = Pick<
  IntentLearnerOptions,
  'crammerSingerWeight' | 'wordCrammerSingerWeight' | 'centroidWeight'
>;

/** Members one at a time: the learner trains each alone when the others weigh 0. */
const MEMBERS: Weights[] = [
  { crammerSingerWeight: 1, wordCrammerSingerWeight: 0, centroidWeight: 0 },
  { crammerSingerWeight: 0, wordCrammerSingerWeight: 1, centroidWeight: 0 },
  { crammerSingerWeight: 0, wordCrammerSingerWeight: 0, centroidWeight: 1 },
];

/** The grid the shipped weights (2, 1, 0.2) were taken from, searched again inside each fold. */
export const WEIGHT_GRID = {
  crammerSinger: [0, 0.5, 1, 1.5, 2, 3, 4],
  wordCrammerSinger: [0, 0.5, 1, 1.5, 2],
  centroid: [0, 0.1, 0.2, 0.3, 0.5],
};

export interface NestedReport extends CrossValidationReport {
  /** The weights each outer fold chose on its own held-out part. */
  chosen: Weights[];
}

/** Ensemble weights chosen on a held-out part of `train` (indices into counts/targets). */
export function selectEnsembleWeights(
  counts: readonly IntentCounts[],
  targets: Int32Array,
  labels: string[],
  train: readonly number[],
  seed: number,
  learner: Partial<IntentLearnerOptions> = {},
  heldOutFraction = 0.2,
): Weights {
  const order = [...train];
  shuffleInPlace(order, createRng(seed));
  const cut = Math.round(order.length * heldOutFraction);
  const held = order.slice(0, cut);
  const fit = order.slice(cut);
  const fitCounts = fit.map((i) => counts[i] as IntentCounts);
  const fitTargets = Int32Array.from(fit.map((i) => targets[i] as number));
  const K = labels.length;
  // Raw scores of every member on every held-out row; a weighted sum of them is the sum model's score.
  const scores = MEMBERS.map((member) => {
    const model = fitIntentModel(fitCounts, fitTargets, labels, { ...learner, ...member, seed });
    const out = new Float64Array(held.length * K);
    held.forEach((i, r) => {
      const logits = scoreLogits(model, intentVector(model, counts[i] as IntentCounts));
      for (let c = 0; c < K; c++) out[r * K + c] = logits[c] as number;
    });
    return out;
  });
  let best: Weights = { ...MEMBERS[0]! };
  let bestHits = -1;
  for (const a of WEIGHT_GRID.crammerSinger)
    for (const b of WEIGHT_GRID.wordCrammerSinger)
      for (const c of WEIGHT_GRID.centroid) {
        if (a + b + c === 0) continue;
        let hits = 0;
        held.forEach((i, r) => {
          let top = 0;
          let topScore = -Infinity;
          for (let k = 0; k < K; k++) {
            const at = r * K + k;
            const s = a * scores[0]![at]! + b * scores[1]![at]! + c * scores[2]![at]!;
            if (s > topScore) [top, topScore] = [k, s];
          }
          if (top === targets[i]) hits++;
        });
        if (hits > bestHits) {
          bestHits = hits;
          best = { crammerSingerWeight: a, wordCrammerSingerWeight: b, centroidWeight: c };
        }
      }
  return best;
}

/** k-fold CV over the same folds as crossValidateIntents, with the ensemble weights chosen inside each fold. */
export function crossValidateIntentsNested(
  counts: readonly IntentCounts[],
  targets: Int32Array,
  labels: string[],
  options: {
    folds?: number;
    seed?: number;
    name?: string;
    log?: (m: string) => void;
    /** Learner settings over INTENT_LEARNER's other than the weights (the hash space the counts were made in). */
    learner?: Partial<IntentLearnerOptions>;
  } = {},
): NestedReport {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 42;
  const perFold: number[] = [];
  const chosen: Weights[] = [];
  for (const [fold, { train, test }] of crossValidationFolds(counts.length, folds, seed).entries()) {
    const learner = options.learner ?? {};
    const weights = selectEnsembleWeights(counts, targets, labels, train, seed + fold, learner);
    chosen.push(weights);
    const model = fitIntentModel(
      train.map((i) => counts[i] as IntentCounts),
      Int32Array.from(train.map((i) => targets[i] as number)),
      labels,
      { ...INTENT_LEARNER, ...learner, ...weights, seed: seed + fold },
    );
    let hits = 0;
    for (const i of test) if (predictIntent(model, counts[i] as IntentCounts).best === targets[i]) hits++;
    perFold.push(hits / test.length);
    options.log?.(
      `${options.name ?? 'intents'} nested fold ${fold + 1}/${folds}: ${(hits / test.length).toFixed(4)} with ${JSON.stringify(weights)}`,
    );
  }
  const accuracy = perFold.reduce((a, b) => a + b, 0) / folds;
  return { folds, accuracy, perFold, examples: counts.length, chosen };
}

/** Banking77's train split under crossValidateIntentsNested: the same folds and seed as crossValidateBanking77. */
export function crossValidateBanking77Nested(
  dataDir: string,
  options: { folds?: number; seed?: number; log?: (m: string) => void } = {},
): NestedReport {
  const rows = loadBanking77(dataDir);
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = countTexts(rows.map((r) => r.text));
  const targets = Int32Array.from(rows.map((r) => index.get(r.label) as number));
  return crossValidateIntentsNested(counts, targets, labels, { ...options, name: 'banking77' });
}
