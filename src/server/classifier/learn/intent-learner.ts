/**
 * The intent learner: one learner for the default taxonomy, a company's own intents (`parley train intents`), Banking77
 * and CLINC150. TF-IDF-weighted words, bigrams, word pairs and character 3–5-grams (features/intent-features.ts) scored
 * by a weighted sum of three linear SVMs over the same vector: one-vs-rest squared hinge on every feature
 * (train-svm.ts), the same on the word group alone, and Crammer–Singer multi-class (train-mcsvm.ts). A sum of linear
 * models is one linear model, so the three cost nothing extra to score. Settings chosen by 5-fold CV on the Banking77
 * train split.
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
import { trainCrammerSinger } from './train-mcsvm.js';
import { DEFAULT_SVM, trainSvm, type SvmOptions } from './train-svm.js';

export interface IntentLearnerOptions extends SvmOptions {
  features: IntentFeatureConfig;
  /** Weight of a one-vs-rest SVM trained on the word group alone, added to the joint one (0: none). */
  wordModelWeight: number;
  /** Weight of a Crammer–Singer SVM over every feature, added to the joint one (0: none). */
  crammerSingerWeight: number;
}

/**
 * The SVM's own defaults over the intent features: one place for the solver settings. The ensemble weights were
 * chosen by 5-fold CV on the Banking77 train split (0.905 joint alone, 0.906 with the word model, 0.908 with both).
 */
export const INTENT_LEARNER: IntentLearnerOptions = {
  ...DEFAULT_SVM,
  features: INTENT_FEATURES,
  wordModelWeight: 0.5,
  crammerSingerWeight: 1.5,
};

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
  const parts: [LinearModel, number][] = [[trainSvm(inputs, targets, labels, opts), 1]];
  if (opts.wordModelWeight > 0) {
    const words = inputs.map((x) => ({
      hashes: x.hashes.subarray(0, x.named),
      values: x.values.subarray(0, x.named),
    }));
    parts.push([trainSvm(words, targets, labels, opts), opts.wordModelWeight]);
  }
  if (opts.crammerSingerWeight > 0)
    parts.push([trainCrammerSinger(inputs, targets, labels, opts), opts.crammerSingerWeight]);
  return { ...sumModels(parts), intentFeatures: { idf, config: opts.features } };
}

/** Σ weight · model over one hash space and label set, divided by the total weight so scores keep their scale. */
function sumModels(parts: readonly [LinearModel, number][]): LinearModel {
  const [first] = parts[0] as [LinearModel, number];
  if (parts.length === 1) return first;
  const total = parts.reduce((sum, [, w]) => sum + w, 0);
  const weights = new Float32Array(first.weights.length);
  const bias = new Float32Array(first.bias.length);
  for (const [model, w] of parts) {
    const k = w / total;
    for (let i = 0; i < weights.length; i++)
      weights[i] = (weights[i] as number) + k * (model.weights[i] as number);
    for (let c = 0; c < bias.length; c++) bias[c] = (bias[c] as number) + k * (model.bias[c] as number);
  }
  return { labels: first.labels, dimBits: first.dimBits, weights, bias };
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
