/**
 * The intent learner: one learner for the default taxonomy, a company's own intents (`parley train intents`), Banking77
 * and CLINC150. TF-IDF-weighted words, bigrams, word pairs and character 3–5-grams (features/intent-features.ts) with a
 * one-vs-rest squared-hinge linear SVM (train-svm.ts). Settings chosen by 5-fold CV on the Banking77 train split.
 */
import {
  countIntentFeatures,
  INTENT_FEATURES,
  inverseDocumentFrequency,
  weighIntentFeatures,
  type IntentCounts,
  type IntentFeatureConfig,
} from '../features/intent-features.js';
import type { FeatureVector } from '../features/extract.js';
import { tokenize, type TokenizedText } from '../features/tokenize.js';
import { predictProba, type LinearModel } from './linear-model.js';
import { DEFAULT_SVM, trainSvm, type SvmOptions } from './train-svm.js';

export interface IntentLearnerOptions extends SvmOptions {
  features: IntentFeatureConfig;
}

/** The SVM's own defaults over the intent features: one place for the solver settings. */
export const INTENT_LEARNER: IntentLearnerOptions = { ...DEFAULT_SVM, features: INTENT_FEATURES };

/** Counts every text's features once; folds and retrains reuse them. */
export function countTexts(
  texts: readonly string[],
  dimBits = INTENT_LEARNER.dimBits,
  config: IntentFeatureConfig = INTENT_FEATURES,
): IntentCounts[] {
  return texts.map((t) => countIntentFeatures(tokenize(t), dimBits, config));
}

/** Trains on counted rows: idf from these rows only, then the SVM. */
export function fitIntentModel(
  rows: readonly IntentCounts[],
  targets: Int32Array,
  labels: string[],
  options: Partial<IntentLearnerOptions> = {},
): LinearModel {
  const opts = { ...INTENT_LEARNER, ...options };
  const idf = inverseDocumentFrequency(rows, opts.dimBits);
  const inputs = rows.map((r) => weighIntentFeatures(r, idf, opts.dimBits, opts.features));
  const model = trainSvm(inputs, targets, labels, opts);
  return { ...model, intentFeatures: { idf, config: opts.features } };
}

/** Trains from labelled texts; labels are sorted so class order never depends on row order. */
export function trainIntentModel(
  rows: readonly { text: string; label: string }[],
  options: Partial<IntentLearnerOptions> = {},
  labels?: string[],
): LinearModel {
  const classes = labels ?? [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(classes.map((label, i) => [label, i]));
  const kept = rows.filter((r) => index.has(r.label));
  const dimBits = options.dimBits ?? INTENT_LEARNER.dimBits;
  const counts = countTexts(
    kept.map((r) => r.text),
    dimBits,
    options.features ?? INTENT_FEATURES,
  );
  return fitIntentModel(
    counts,
    Int32Array.from(kept.map((r) => index.get(r.label) as number)),
    classes,
    options,
  );
}

/** The model's own feature vector of a tokenised text (or of counts made in its hash space). */
export function intentVector(
  model: LinearModel,
  input: TokenizedText | IntentCounts,
  transient = false,
): FeatureVector {
  const spec = model.intentFeatures;
  if (!spec) throw new Error('not an intent-learner model');
  const counts =
    'buckets' in input ? input : countIntentFeatures(input, model.dimBits, spec.config, transient);
  return weighIntentFeatures(counts, spec.idf, model.dimBits, spec.config, transient);
}

export function predictIntent(
  model: LinearModel,
  input: TokenizedText | IntentCounts,
): { probs: Float32Array; best: number } {
  return predictProba(model, intentVector(model, input));
}
