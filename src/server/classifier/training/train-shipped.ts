/** `parley train`: trains the shipped model set from shared/data and the project's seed intents. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictProba } from '../learn/linear-model.js';
import { writeModelFile } from '../learn/model-file.js';
import type { Manifest } from '../model-store.js';
import { loadSemevalTrain, loadTweetEval, type LabelledText } from './datasets.js';
import { INTENT_FEATURES } from '../features/intent-features.js';
import { trainIntentModel, type IntentLearnerOptions } from '../learn/intent-learner.js';
import { ABUSIVE_LEARNER, featurise, SENTIMENT_LEARNER, trainOn } from './learners.js';
import { f1Score, fBetaScore, scorePredictions } from './metrics.js';
import { loadSeedIntents, type IntentExample } from './train-custom.js';

/** Bump when features, learners or data change, so every stored classification names the models behind it. */
export const MODEL_SET_VERSION = 'understand-2026.11.23.3';
export const SENTIMENT_LABELS = ['negative', 'neutral', 'positive'];

/**
 * The intent learner's settings for the default taxonomy's seed set (526 examples, 13 intents): the one-vs-rest SVM
 * over every feature alone. Seed-set 5-fold CV over six shuffles (seeds 42, 7, 2026, 1, 99, 123): 0.671 mean, against
 * 0.658 for the Crammer–Singer ensemble chosen on Banking77 (better on 5 of 6 shuffles; 0.6749 vs 0.6768 at seed 42
 * alone). The ensemble stays the learner for a company's own intents and the public benchmarks.
 */
export const DEFAULT_TAXONOMY_LEARNER: Partial<IntentLearnerOptions> = {
  features: INTENT_FEATURES,
  jointWeight: 1,
  wordModelWeight: 0,
  crammerSingerWeight: 0,
  wordCrammerSingerWeight: 0,
  centroidWeight: 0,
};

export interface TrainShippedOptions {
  sharedDataDir: string;
  outDir: string;
  seed?: number;
  /** Added to the seed intents for the default taxonomy. */
  extraExamples?: readonly IntentExample[];
  log?: (message: string) => void;
}

export interface TrainShippedResult {
  version: string;
  files: string[];
  metrics: Record<string, number>;
}

/** Texts are abusive when TweetEval calls them offensive or hateful. */
export function loadAbusive(dataDir: string, split: 'train' | 'val'): LabelledText[] {
  const tag = (rows: LabelledText[], yes: string): LabelledText[] =>
    rows.map((r) => ({ text: r.text, label: r.label === yes ? 'abusive' : 'ok' }));
  return [
    ...tag(loadTweetEval(dataDir, 'offensive', split), 'offensive'),
    ...tag(loadTweetEval(dataDir, 'hate', split), 'hate'),
  ];
}

export function trainShippedModels(options: TrainShippedOptions): TrainShippedResult {
  const seed = options.seed ?? 42;
  const log = options.log ?? (() => {});
  const dir = options.sharedDataDir;
  mkdirSync(options.outDir, { recursive: true });
  const metrics: Record<string, number> = {};

  log('sentiment: training on SemEval 2013–2016');
  const sentiment = trainOn(featurise(loadSemevalTrain(dir), SENTIMENT_LABELS), SENTIMENT_LEARNER, seed);
  const val = loadTweetEval(dir, 'sentiment', 'val');
  const predicted = val.map(
    (r) => SENTIMENT_LABELS[predictProba(sentiment, featurise([r], SENTIMENT_LABELS).inputs[0]!).best]!,
  );
  metrics.sentiment_val_macro_recall = scorePredictions(
    val.map((r) => r.label),
    predicted,
    SENTIMENT_LABELS,
  ).macroRecall;

  log('abusive: training on TweetEval offensive + hate');
  const abusive = trainOn(featurise(loadAbusive(dir, 'train'), ['ok', 'abusive']), ABUSIVE_LEARNER, seed);
  const abusiveVal = loadAbusive(dir, 'val');
  const probs = featurise(abusiveVal, ['ok', 'abusive']).inputs.map(
    (x) => predictProba(abusive, x).probs[1] as number,
  );
  const gold = abusiveVal.map((r) => r.label === 'abusive');
  // F0.5: calling an angry but legitimate customer abusive costs more than missing some abuse.
  let abusiveThreshold = 0.5;
  let bestScore = -1;
  for (let t = 0.3; t <= 0.95; t += 0.01) {
    const score = fBetaScore(
      gold,
      probs.map((p) => p >= t),
      0.5,
    );
    if (score > bestScore) [bestScore, abusiveThreshold] = [score, Math.round(t * 100) / 100];
  }
  metrics.abusive_val_f1 = f1Score(
    gold,
    probs.map((p) => p >= abusiveThreshold),
  );

  log('intent: training the default taxonomy on the seed set');
  const examples = [
    ...loadSeedIntents(),
    ...(options.extraExamples ?? []),
  ];
  const intent = trainIntentModel(
    examples.map((e) => ({ text: e.text, label: e.intent })),
    { ...DEFAULT_TAXONOMY_LEARNER, seed },
  );

  const files = { sentiment: 'sentiment.bin', abusive: 'abusive.bin', intent: 'intent.bin' };
  writeModelFile(join(options.outDir, files.sentiment), sentiment, {
    kind: 'sentiment',
    version: MODEL_SET_VERSION,
  });
  writeModelFile(join(options.outDir, files.abusive), abusive, {
    kind: 'abusive',
    version: MODEL_SET_VERSION,
  });
  writeModelFile(join(options.outDir, files.intent), intent, { kind: 'intent', version: MODEL_SET_VERSION });
  const manifest: Manifest = {
    version: MODEL_SET_VERSION,
    files,
    abusiveThreshold,
    intentMinScore: 0.25,
    metrics,
  };
  writeFileSync(join(options.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { version: MODEL_SET_VERSION, files: [...Object.values(files), 'manifest.json'], metrics };
}
