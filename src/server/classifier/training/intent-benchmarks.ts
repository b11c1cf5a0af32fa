/** Public intent benchmarks for the intent learner: Banking77 k-fold CV and CLINC150 with out-of-scope detection. */
import { predictProba } from '../learn/linear-model.js';
import { createRng, shuffleInPlace } from '../learn/rng.js';
import { loadBanking77, loadClinc150, type LabelledText } from './datasets.js';
import { featurise, INTENT_LEARNER, intentLearnerFor, trainOn } from './learners.js';

export interface CrossValidationReport {
  folds: number;
  accuracy: number;
  perFold: number[];
  examples: number;
}

/** k-fold cross-validation of the intent learner on labelled rows: a seeded shuffle dealt round-robin into folds. */
export function crossValidateIntents(
  rows: readonly LabelledText[],
  options: { folds?: number; seed?: number; name?: string; log?: (m: string) => void } = {},
): CrossValidationReport {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 42;
  const data = featurise(rows);
  const learner = intentLearnerFor(rows.length);
  const order = Array.from({ length: data.inputs.length }, (_, i) => i);
  shuffleInPlace(order, createRng(seed));
  const perFold: number[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const test = order.filter((_, k) => k % folds === fold);
    const train = order.filter((_, k) => k % folds !== fold);
    const model = trainOn(
      {
        inputs: train.map((i) => data.inputs[i]!),
        targets: Int32Array.from(train.map((i) => data.targets[i]!)),
        labels: data.labels,
      },
      learner,
      seed + fold,
    );
    let hits = 0;
    for (const i of test) if (predictProba(model, data.inputs[i]!).best === data.targets[i]) hits++;
    perFold.push(hits / test.length);
    options.log?.(
      `${options.name ?? 'intents'} fold ${fold + 1}/${folds}: ${(hits / test.length).toFixed(4)}`,
    );
  }
  const accuracy = perFold.reduce((a, b) => a + b, 0) / folds;
  return { folds, accuracy, perFold, examples: data.inputs.length };
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
  /** Top probability below which a query is called out of scope, chosen on the validation split. */
  threshold: number;
  trainExamples: number;
}

/**
 * Trains on train + oos_train (out-of-scope as one more class), then picks the confidence threshold on validation that
 * maximises accuracy over all validation queries, in-scope and out-of-scope alike (Larson et al.'s overall accuracy).
 * Figures are on that same validation split, so they are optimistic by the threshold choice.
 */
export function evaluateClinc150(
  dataDir: string,
  options: { seed?: number; log?: (m: string) => void } = {},
): ClincReport {
  const splits = loadClinc150(dataDir);
  const train = featurise([...splits.train, ...splits.oosTrain]);
  const model = trainOn(train, INTENT_LEARNER, options.seed ?? 42);
  const oos = train.labels.indexOf('oos');
  const val = [...splits.val, ...splits.oosVal];
  const predictions = featurise(val, train.labels).inputs.map((x) => {
    const { probs, best } = predictProba(model, x);
    return { best, confidence: probs[best] as number };
  });
  const gold = val.map((r) => train.labels.indexOf(r.label));
  let best = { threshold: 0, inScopeAccuracy: 0, oosRecall: 0, score: -1 };
  for (let t = 0; t <= 0.9; t += 0.01) {
    let inHits = 0;
    let inTotal = 0;
    let oosHits = 0;
    let oosTotal = 0;
    predictions.forEach((p, i) => {
      const label = p.best === oos || p.confidence < t ? oos : p.best;
      if (gold[i] === oos) {
        oosTotal++;
        if (label === oos) oosHits++;
      } else {
        inTotal++;
        if (label === gold[i]) inHits++;
      }
    });
    const inScopeAccuracy = inHits / (inTotal || 1);
    const oosRecall = oosHits / (oosTotal || 1);
    const score = (inHits + oosHits) / (inTotal + oosTotal || 1);
    if (score > best.score)
      best = { threshold: Math.round(t * 100) / 100, inScopeAccuracy, oosRecall, score };
  }
  options.log?.(
    `clinc150: in-scope ${best.inScopeAccuracy.toFixed(4)}, oos recall ${best.oosRecall.toFixed(4)} at ${best.threshold}`,
  );
  return {
    inScopeAccuracy: best.inScopeAccuracy,
    oosRecall: best.oosRecall,
    threshold: best.threshold,
    trainExamples: train.inputs.length,
  };
}
