/** Classifier figures: accuracy on the validation data, throughput of every stage together on one core, load time and memory. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../src/server/classifier/index.js';
import { loadTweetEval } from '../src/server/classifier/training/datasets.js';
import {
  crossValidateBanking77,
  evaluateClinc150,
} from '../src/server/classifier/training/intent-benchmarks.js';
import { scorePredictions } from '../src/server/classifier/training/metrics.js';
import { crossValidateBanking77Nested } from '../src/server/classifier/training/nested-selection.js';
import { SENTIMENT_LABELS } from '../src/server/classifier/training/train-shipped.js';
import type { BenchModule } from './types.js';

/** Customer-service-like texts for the throughput run when shared data is absent. */
const FALLBACK_TEXTS = [
  '@acme my internet has been down since 6am, any ETA?',
  'thanks for sorting my refund so quickly, great service!',
  'how do I change the delivery address on order 5512?',
  'you charged me twice this month, I want my money back or I go to the ombudsman',
  'follow me for free crypto signals bit.ly/xyz 🚀🚀',
  'the app keeps crashing when I open my account page :(',
];

interface ChildFigures {
  classify_msgs_per_s: number;
  classifier_load_ms: number;
  classifier_rss_mb: number;
}

/**
 * Runs in a fresh child process that does nothing but load the models and classify, so the memory figure is the
 * classifier's (peak RSS of that process, Node itself included), not the bench's or the CV training's.
 */
function runChild(dataDir: string | null): ChildFigures {
  // Load time covers everything before the first message: reading, dequantising and fusing the models.
  const loadStart = performance.now();
  const classifier = createClassifier();
  const loadMs = performance.now() - loadStart;
  const val = dataDir ? loadTweetEval(dataDir, 'sentiment', 'val') : [];
  const texts = val.length > 0 ? val.map((r) => r.text) : FALLBACK_TEXTS;
  const batch = Array.from({ length: 2000 }, (_, i) => texts[i % texts.length] as string);
  classifier.classify(batch);
  let messages = 0;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  while (performance.now() - wallStart < 3000) {
    classifier.classify(batch);
    messages += batch.length;
  }
  // CPU time of this process, so other work on a shared machine does not count against the classifier.
  const cpu = process.cpuUsage(cpuStart);
  const seconds = (cpu.user + cpu.system) / 1e6;
  return {
    classify_msgs_per_s: Math.round(messages / seconds),
    classifier_load_ms: Math.round(loadMs),
    classifier_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const CHILD_FLAG = '--classifier-bench-child';

function measureInChild(dataDir: string | null): ChildFigures {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, ...(dataDir ? [dataDir] : [])];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildFigures;
}

export const bench: BenchModule = {
  name: 'classifier',
  keys: [
    'sentiment_val_macro_recall',
    'banking77_cv_accuracy',
    'banking77_nested_cv_accuracy',
    'clinc_val_inscope_accuracy',
    'clinc_val_oos_recall',
    'classify_msgs_per_s',
    'classifier_load_ms',
    'classifier_rss_mb',
  ],
  async run(ctx) {
    const dir = ctx.sharedDataDir;
    ctx.log('classifier: load, throughput and memory in a child process');
    const child = measureInChild(dir);
    const figures: Record<string, number | null> = {
      sentiment_val_macro_recall: null,
      banking77_cv_accuracy: null,
      banking77_nested_cv_accuracy: null,
      clinc_val_inscope_accuracy: null,
      clinc_val_oos_recall: null,
      ...child,
    };
    if (!dir) return figures;

    const val = loadTweetEval(dir, 'sentiment', 'val');
    const predicted = createClassifier()
      .classify(val.map((r) => r.text))
      .map((c) => c.sentiment.label);
    figures.sentiment_val_macro_recall = scorePredictions(
      val.map((r) => r.label),
      predicted,
      SENTIMENT_LABELS,
    ).macroRecall;
    // Neither Banking77 figure picks anything on its own test folds: the first uses INTENT_LEARNER's fixed weights,
    // chosen on CLINC150; the second chooses them by inner CV inside each training fold.
    ctx.log('classifier: Banking77 5-fold CV, ensemble weights fixed (chosen on CLINC150)');
    figures.banking77_cv_accuracy = crossValidateBanking77(dir, { folds: 5, log: ctx.log }).accuracy;
    ctx.log('classifier: Banking77 5-fold CV, ensemble weights chosen by inner CV inside each training fold');
    figures.banking77_nested_cv_accuracy = crossValidateBanking77Nested(dir, {
      folds: 5,
      log: ctx.log,
    }).accuracy;
    ctx.log('classifier: CLINC150');
    const clinc = evaluateClinc150(dir, { log: ctx.log });
    figures.clinc_val_inscope_accuracy = clinc.inScopeAccuracy;
    figures.clinc_val_oos_recall = clinc.oosRecall;
    return figures;
  },
};

if (process.argv[2] === CHILD_FLAG)
  process.stdout.write(`${JSON.stringify(runChild(process.argv[3] ?? null))}\n`);
