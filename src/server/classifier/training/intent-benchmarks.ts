/** Public intent benchmarks for the intent learner: Banking77 k-fold CV and CLINC150 with out-of-scope detection. */
import type { IntentCounts } from '../features/intent-features.js';
import {
  countTexts,
  fitIntentModel,
  predictIntent,
  type IntentLearnerOptions,
} from '../learn/intent-learner.js';
import type { LinearModel } from '../learn/linear-model.js';
import { createRng, shuffleInPlace } from '../learn/rng.js';
import { loadBanking77, loadClinc150, type LabelledText } from './datasets.js';

export interface CrossValidationReport {
  folds: number;
  accuracy: number;
  perFold: number[];
  examples: number;
}

/**
 * The cross-validation folds over `n` rows: a seeded shuffle dealt round-robin, fold by fold as { train, test } row
 * indexes. Every intent CV (plain and nested) takes its folds from here, so their figures compare on the same splits.
 */
export function crossValidationFolds(n: number, folds: number, seed: number): { train: number[]; test: number[] }[] {
  const order = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, createRng(seed));
  return Array.from({ length: folds }, (_, fold) => ({ test: order.filter((_, k) => k % folds === fold), train: order.filter((_, k) => k % folds !== fold) }));
}

/** k-fold cross-validation of the intent learner on labelled rows: a seeded shuffle dealt round-robin into folds. */
export function crossValidateIntents(
  rows: readonly LabelledText[],
  options: {
    folds?: number;
    seed?: number;
    name?: string;
    log?: (m: string) => void;
    /** Learner settings over INTENT_LEARNER's (the default taxonomy's own, for its seed set). */
    learner?: Partial<IntentLearnerOptions>;
  } = {},
): CrossValidationReport {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 42;
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = countTexts(
    rows.map((r) => r.text),
    options.learner?.dimBits,
    options.learner?.features,
  );
  const targets = Int32Array.from(rows.map((r) => index.get(r.label) as number));
  const perFold: number[] = [];
  for (const [fold, { train, test }] of crossValidationFolds(rows.length, folds, seed).entries()) {
    const model = fitIntentModel(
      train.map((i) => counts[i]!),
      Int32Array.from(train.map((i) => targets[i]!)),
      labels,
      { ...options.learner, seed: seed + fold },
    );
    let hits = 0;
    for (const i of test) if (predictIntent(model, counts[i]!).best === targets[i]) hits++;
    perFold.push(hits / test.length);
    options.log?.(
      `${options.name ?? 'intents'} fold ${fold + 1}/${folds}: ${(hits / test.length).toFixed(4)}`,
    );
  }
  const accuracy = perFold.reduce((a, b) => a + b, 0) / folds;
  return { folds, accuracy, perFold, examples: rows.length };
}

export function crossValidateBanking77(
  dataDir: string,
  options: { folds?: number; seed?: number; log?: (m: string) => void } = {},
): CrossValidationReport {
  return crossValidateIntents(loadBanking77(dataDir), { ...options, name: 'banking77' });
}

export interface ClincReport {
  inScopeAccuracy: number;
  oosRecall: number;
  /** Top probability below which a query is called out of scope, chosen on a held-out fifth of train. */
  threshold: number;
  trainExamples: number;
}

/** How much held-out in-scope accuracy, at most, the out-of-scope threshold may cost. */
export const OOS_ACCURACY_BUDGET = 0.005;

interface Scored {
  best: number;
  confidence: number;
}

function scoreRows(model: LinearModel, counts: readonly IntentCounts[]): Scored[] {
  return counts.map((c) => {
    const { probs, best } = predictIntent(model, c);
    return { best, confidence: probs[best] as number };
  });
}

function rates(
  scored: readonly Scored[],
  gold: readonly number[],
  oos: number,
  threshold: number,
): { inScopeAccuracy: number; oosRecall: number } {
  let inHits = 0;
  let inTotal = 0;
  let oosHits = 0;
  let oosTotal = 0;
  scored.forEach((p, i) => {
    const label = p.best === oos || p.confidence < threshold ? oos : p.best;
    if (gold[i] === oos) {
      oosTotal++;
      if (label === oos) oosHits++;
    } else {
      inTotal++;
      if (label === gold[i]) inHits++;
    }
  });
  return { inScopeAccuracy: inHits / (inTotal || 1), oosRecall: oosHits / (oosTotal || 1) };
}

/**
 * Trains on train + oos_train (out-of-scope as one more class). The confidence threshold is chosen without the
 * validation split: a model trained on four fifths of train scores the held-out fifth, and the threshold is the highest
 * that costs at most OOS_ACCURACY_BUDGET of held-out in-scope accuracy. (Overall accuracy on the held-out fifth, as Larson
 * et al. score validation, picks no threshold at all: out-of-scope queries are under 1% of train.) The model trained on
 * all of train is then scored on validation at that threshold.
 */
export function evaluateClinc150(
  dataDir: string,
  options: { seed?: number; log?: (m: string) => void } = {},
): ClincReport {
  const seed = options.seed ?? 42;
  const splits = loadClinc150(dataDir);
  const trainRows = [...splits.train, ...splits.oosTrain];
  const labels = [...new Set(trainRows.map((r) => r.label))].sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  const oos = labels.indexOf('oos');
  const counts = countTexts(trainRows.map((r) => r.text));
  const targets = trainRows.map((r) => index.get(r.label) as number);

  const { test: heldOut, train: fitPart } = crossValidationFolds(trainRows.length, 5, seed)[0]!;
  options.log?.('clinc150: choosing the out-of-scope threshold on a held-out fifth of train');
  const partial = fitIntentModel(
    fitPart.map((i) => counts[i]!),
    Int32Array.from(fitPart.map((i) => targets[i]!)),
    labels,
    { seed },
  );
  const heldScored = scoreRows(
    partial,
    heldOut.map((i) => counts[i]!),
  );
  const heldGold = heldOut.map((i) => targets[i]!);
  const oosHeld = heldGold.filter((g) => g === oos).length;
  const floor = rates(heldScored, heldGold, oos, 0).inScopeAccuracy - OOS_ACCURACY_BUDGET;
  let threshold = 0;
  for (let step = 1; step <= 90; step++) {
    if (rates(heldScored, heldGold, oos, step / 100).inScopeAccuracy < floor) break;
    threshold = step / 100;
  }
  const held = rates(heldScored, heldGold, oos, threshold);
  options.log?.(
    `clinc150: threshold ${threshold} (held-out train: in-scope ${held.inScopeAccuracy.toFixed(4)}, oos recall ${held.oosRecall.toFixed(4)} of ${oosHeld})`,
  );

  const model = fitIntentModel(counts, Int32Array.from(targets), labels, { seed });
  const val = [...splits.val, ...splits.oosVal];
  const valScored = scoreRows(model, countTexts(val.map((r) => r.text)));
  const valGold = val.map((r) => index.get(r.label) ?? -1);
  const result = rates(valScored, valGold, oos, threshold);
  options.log?.(
    `clinc150 validation: in-scope ${result.inScopeAccuracy.toFixed(4)}, oos recall ${result.oosRecall.toFixed(4)} at ${threshold}`,
  );
  return { ...result, threshold, trainExamples: trainRows.length };
}
