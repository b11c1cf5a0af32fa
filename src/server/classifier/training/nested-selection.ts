/**
 * Cross-validation with the intent learner's ensemble weights chosen inside each training fold, never on its test
 * fold: an inner k-fold CV over the training fold scores every one of its rows with each member (Crammer–Singer over
 * every feature, the same on the word group, class centroids) trained without that row, and the grid weights whose
 * summed scores are most accurate over the whole training fold are used to train on it. The plain k-fold figure uses
 * INTENT_LEARNER's fixed weights, chosen the same way on CLINC150 (choose-intent-weights.ts).
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
import { loadBanking77 } from './datasets.js';
import { crossValidationFolds, type CrossValidationReport } from './intent-benchmarks.js';

export type EnsembleWeights = Pick<
  IntentLearnerOptions,
  'crammerSingerWeight' | 'wordCrammerSingerWeight' | 'centroidWeight'
>;

/** Members one at a time: the learner trains each alone when the others weigh 0. */
const MEMBERS: EnsembleWeights[] = [
  { crammerSingerWeight: 1, wordCrammerSingerWeight: 0, centroidWeight: 0 },
  { crammerSingerWeight: 0, wordCrammerSingerWeight: 1, centroidWeight: 0 },
  { crammerSingerWeight: 0, wordCrammerSingerWeight: 0, centroidWeight: 1 },
];

/** The weight grid searched inside each outer training fold (and over CLINC150 for INTENT_LEARNER's defaults). */
export const WEIGHT_GRID = {
  crammerSinger: [0, 0.5, 1, 1.5, 2, 3, 4],
  wordCrammerSinger: [0, 0.5, 1, 1.5, 2],
  centroid: [0, 0.1, 0.2, 0.3, 0.5],
};

export interface NestedReport extends CrossValidationReport {
  /** The weights each outer fold chose on its own held-out part. */
  chosen: EnsembleWeights[];
}

/** Folds of the inner cross-validation that chooses the weights inside each outer training fold. */
export const INNER_FOLDS = 5;

/**
 * Ensemble weights chosen by inner k-fold CV over `train` (indices into counts/targets): each member is trained on
 * every inner training part and scores its inner test part, so every row of `train` is scored once by models that did
 * not see it, and the grid weights whose summed scores are most accurate over all of `train` win. Scoring every row,
 * not one held-out fifth, keeps the choice from swinging on a few hundred queries.
 */
export function selectEnsembleWeights(
  counts: readonly IntentCounts[],
  targets: Int32Array,
  labels: string[],
  train: readonly number[],
  seed: number,
  learner: Partial<IntentLearnerOptions> = {},
  innerFolds = INNER_FOLDS,
): EnsembleWeights {
  const K = labels.length;
  // Out-of-fold raw scores of every member on every row of `train`; a weighted sum of them is the sum model's score.
  const scores = MEMBERS.map(() => new Float64Array(train.length * K));
  for (const inner of crossValidationFolds(train.length, innerFolds, seed)) {
    const fitCounts = inner.train.map((r) => counts[train[r] as number] as IntentCounts);
    const fitTargets = Int32Array.from(inner.train.map((r) => targets[train[r] as number] as number));
    MEMBERS.forEach((member, m) => {
      const model = fitIntentModel(fitCounts, fitTargets, labels, { ...learner, ...member, seed });
      const out = scores[m] as Float64Array;
      for (const r of inner.test) {
        const logits = scoreLogits(model, intentVector(model, counts[train[r] as number] as IntentCounts));
        for (let c = 0; c < K; c++) out[r * K + c] = logits[c] as number;
      }
    });
  }
  const [cs, word, centroid] = scores as [Float64Array, Float64Array, Float64Array];
  let best: EnsembleWeights = { ...MEMBERS[0]! };
  let bestHits = -1;
  for (const a of WEIGHT_GRID.crammerSinger)
    for (const b of WEIGHT_GRID.wordCrammerSinger)
      for (const c of WEIGHT_GRID.centroid) {
        if (a + b + c === 0) continue;
        let hits = 0;
        for (let r = 0; r < train.length; r++) {
          let top = 0;
          let topScore = -Infinity;
          for (let k = 0; k < K; k++) {
            const at = r * K + k;
            const s = a * cs[at]! + b * word[at]! + c * centroid[at]!;
            if (s > topScore) [top, topScore] = [k, s];
          }
          if (top === targets[train[r] as number]) hits++;
        }
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
    innerFolds?: number;
  } = {},
): NestedReport {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 42;
  const perFold: number[] = [];
  const chosen: EnsembleWeights[] = [];
  for (const [fold, { train, test }] of crossValidationFolds(counts.length, folds, seed).entries()) {
    const learner = options.learner ?? {};
    const weights = selectEnsembleWeights(
      counts,
      targets,
      labels,
      train,
      seed + fold,
      learner,
      options.innerFolds,
    );
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
  options: { folds?: number; innerFolds?: number; seed?: number; log?: (m: string) => void } = {},
): NestedReport {
  const rows = loadBanking77(dataDir);
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = countTexts(rows.map((r) => r.text));
  const targets = Int32Array.from(rows.map((r) => index.get(r.label) as number));
  return crossValidateIntentsNested(counts, targets, labels, { ...options, name: 'banking77' });
}
