/** `parley eval`: Parley's models against the peer libraries and the public intent benchmarks, on validation splits only. */
import { createClassifier } from '../index.js';
import { createPeerSentimentSystems, type SentimentSystem } from '../peers/peer-sentiment.js';
import type { SentimentLabel } from '../types.js';
import { loadTweetEval } from './datasets.js';
import {
  crossValidateBanking77,
  crossValidateIntents,
  evaluateClinc150,
  type ClincReport,
  type CrossValidationReport,
} from './intent-benchmarks.js';
import { f1Score, scorePredictions } from './metrics.js';
import { loadSeedIntents } from './train-custom.js';
import {
  DEFAULT_TAXONOMY_LEARNER,
  loadAbusive,
  SENTIMENT_LABELS,
} from './train-shipped.js';

export type EvalTask = 'sentiment' | 'abusive' | 'seed-intents' | 'banking77' | 'clinc150';

export interface EvaluateOptions {
  sharedDataDir: string;
  /** Model directory to evaluate; the shipped models/ by default. */
  modelsDir?: string;
  tasks?: readonly EvalTask[];
  folds?: number;
  seed?: number;
  log?: (message: string) => void;
}

export interface SentimentSystemReport {
  name: string;
  macroRecall: number;
  accuracy: number;
  recall: Record<string, number>;
  textsPerSecond: number;
}

export interface EvalReport {
  modelVersion: string;
  sentiment?: { split: string; size: number; systems: SentimentSystemReport[] };
  abusive?: { split: string; size: number; f1: number; precision: number; recall: number };
  /** The default taxonomy's seed set under cross-validation: how well the shipped intent model generalises. */
  seedIntents?: CrossValidationReport;
  banking77?: CrossValidationReport;
  clinc150?: ClincReport;
}

function runSystem(
  system: SentimentSystem,
  texts: readonly string[],
  gold: readonly string[],
): SentimentSystemReport {
  const started = performance.now();
  const predicted = texts.map((t) => system.label(t));
  const seconds = (performance.now() - started) / 1000;
  const scores = scorePredictions(gold, predicted, SENTIMENT_LABELS);
  return { name: system.name, ...scores, textsPerSecond: texts.length / Math.max(seconds, 1e-9) };
}

export function evaluateAll(options: EvaluateOptions): EvalReport {
  const tasks = new Set(options.tasks ?? ['sentiment', 'abusive', 'seed-intents', 'banking77', 'clinc150']);
  const log = options.log ?? (() => {});
  const classifier = createClassifier(options.modelsDir ? { modelsDir: options.modelsDir } : {});
  const report: EvalReport = { modelVersion: classifier.version };
  const dir = options.sharedDataDir;

  if (tasks.has('sentiment')) {
    log('sentiment: TweetEval validation, Parley and peers');
    const val = loadTweetEval(dir, 'sentiment', 'val');
    const texts = val.map((r) => r.text);
    const gold = val.map((r) => r.label);
    // Parley's own row times the whole classifier (every stage), not sentiment alone.
    const parley: SentimentSystem = {
      name: `parley ${classifier.version}`,
      label: (t) => classifier.classify([t])[0]!.sentiment.label as SentimentLabel,
    };
    const systems = [parley, ...createPeerSentimentSystems()].map((s) => runSystem(s, texts, gold));
    report.sentiment = { split: 'tweeteval/sentiment/val', size: val.length, systems };
  }
  if (tasks.has('abusive')) {
    log('abusive: TweetEval offensive + hate validation');
    const val = loadAbusive(dir, 'val');
    const gold = val.map((r) => r.label === 'abusive');
    const predicted = classifier.classify(val.map((r) => r.text)).map((c) => c.abusive);
    const tp = gold.filter((g, i) => g && predicted[i]).length;
    const precision = tp / (predicted.filter(Boolean).length || 1);
    const recall = tp / (gold.filter(Boolean).length || 1);
    report.abusive = {
      split: 'tweeteval/{offensive,hate}/val',
      size: val.length,
      f1: f1Score(gold, predicted),
      precision,
      recall,
    };
  }
  const seed = options.seed ?? 42;
  if (tasks.has('seed-intents')) {
    const seedRows = loadSeedIntents().map((e) => ({
      text: e.text,
      label: e.intent,
    }));
    report.seedIntents = crossValidateIntents(seedRows, {
      folds: options.folds ?? 5,
      seed,
      name: 'seed intents',
      log,
      learner: DEFAULT_TAXONOMY_LEARNER,
    });
  }
  if (tasks.has('banking77'))
    report.banking77 = crossValidateBanking77(dir, { folds: options.folds ?? 5, seed, log });
  if (tasks.has('clinc150')) report.clinc150 = evaluateClinc150(dir, { seed, log });
  return report;
}

const pct = (x: number): string => (100 * x).toFixed(1).padStart(5);

export function formatEvalReport(report: EvalReport): string {
  const out: string[] = [`Parley models ${report.modelVersion}`];
  if (report.sentiment) {
    out.push(
      '',
      `Sentiment, ${report.sentiment.split} (${report.sentiment.size} tweets), same split, one run:`,
    );
    out.push(`${'system'.padEnd(36)} macroR   acc   negR  neuR  posR   texts/s`);
    for (const s of report.sentiment.systems) {
      const r = s.recall;
      out.push(
        `${s.name.padEnd(36)} ${pct(s.macroRecall)}  ${pct(s.accuracy)}  ${pct(r.negative ?? 0)} ${pct(r.neutral ?? 0)} ${pct(r.positive ?? 0)}  ${Math.round(s.textsPerSecond).toString().padStart(8)}`,
      );
    }
  }
  if (report.abusive) {
    const a = report.abusive;
    out.push(
      '',
      `Abusive, ${a.split} (${a.size}): F1 ${pct(a.f1)}, precision ${pct(a.precision)}, recall ${pct(a.recall)}`,
    );
  }
  if (report.seedIntents) {
    const b = report.seedIntents;
    out.push('', `Default intents, seed set ${b.folds}-fold CV (${b.examples}): accuracy ${pct(b.accuracy)}`);
  }
  if (report.banking77) {
    const b = report.banking77;
    out.push(
      '',
      `Banking77 ${b.folds}-fold CV (${b.examples}): accuracy ${pct(b.accuracy)} (folds ${b.perFold.map(pct).join(',')})`,
    );
  }
  if (report.clinc150) {
    const c = report.clinc150;
    out.push(
      '',
      `CLINC150 validation: in-scope accuracy ${pct(c.inScopeAccuracy)}, out-of-scope recall ${pct(c.oosRecall)} (threshold ${c.threshold} chosen on a held-out fifth of train, not on validation)`,
    );
  }
  return out.join('\n');
}
