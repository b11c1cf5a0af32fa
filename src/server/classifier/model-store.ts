/** Finds and loads the shipped model set (models/ at the repository root) and optional custom intent models. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinearModel } from './learn/linear-model.js';
import { readModelFile } from './learn/model-file.js';

export interface Manifest {
  version: string;
  files: { sentiment: string; abusive: string; intent: string };
  /** Probability above which a message is called abusive, chosen on the TweetEval validation splits. */
  abusiveThreshold: number;
  /** Below this top probability the intent falls back to 'other'. */
  intentMinScore: number;
  metrics?: Record<string, number>;
}

export interface ClassifierModels {
  version: string;
  sentiment: LinearModel;
  abusive: LinearModel;
  intent: LinearModel;
  abusiveThreshold: number;
  intentMinScore: number;
  /** 'default' for the shipped taxonomy, 'custom' for a company's own intents. */
  intentSource: 'default' | 'custom';
}

/** models/ at the repository root, found from this file so the working directory does not matter. */
export const SHIPPED_MODELS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'models',
);

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

export interface LoadOptions {
  modelsDir?: string;
  customIntentModelPath?: string;
}

export interface LoadTimings {
  loadMs: number;
}

export function loadClassifierModels(options: LoadOptions = {}): {
  models: ClassifierModels;
  timings: LoadTimings;
} {
  const started = performance.now();
  const dir = options.modelsDir ?? SHIPPED_MODELS_DIR;
  const manifest = readManifest(dir);
  const sentiment = readModelFile(join(dir, manifest.files.sentiment)).model;
  const abusive = readModelFile(join(dir, manifest.files.abusive)).model;
  let intent = readModelFile(join(dir, manifest.files.intent)).model;
  let intentMinScore = manifest.intentMinScore;
  let version = manifest.version;
  let intentSource: ClassifierModels['intentSource'] = 'default';
  const customPath = options.customIntentModelPath;
  if (customPath !== undefined && existsSync(customPath)) {
    const custom = readModelFile(customPath);
    intent = custom.model;
    intentMinScore = typeof custom.meta.minScore === 'number' ? custom.meta.minScore : 0;
    version = `${version}+intents.${String(custom.meta.version ?? 'custom')}`;
    intentSource = 'custom';
  }
  const models: ClassifierModels = {
    version,
    sentiment,
    abusive,
    intent,
    abusiveThreshold: manifest.abusiveThreshold,
    intentMinScore,
    intentSource,
  };
  return { models, timings: { loadMs: performance.now() - started } };
}
