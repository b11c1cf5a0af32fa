/** The understand stage's entry point: load the shipped models once, classify batches synchronously. */
import { classifyMessage } from './classify-message.js';
import { loadClassifierModels, type ClassifierModels, type LoadOptions } from './model-store.js';
import { getValenceLexicon } from './features/lexicon.js';
import { createIntentScorer } from './intent-scorer.js';
import { createScorer } from './scorer.js';
import type { Classifier } from './types.js';

export type { Classification, Classifier, Explanation, SentimentLabel, Urgency } from './types.js';
export {
  loadClassifierModels,
  SHIPPED_MODELS_DIR,
  type ClassifierModels,
  type LoadOptions,
} from './model-store.js';

export interface CreateClassifierOptions {
  /** A model written by `trainCustomIntents`; used instead of the default taxonomy when the file exists. */
  customIntentModelPath?: string;
  /** Another model directory (tests, freshly trained sets); defaults to models/ at the repository root. */
  modelsDir?: string;
}

export function createClassifier(options: CreateClassifierOptions = {}): Classifier {
  const loadOptions: LoadOptions = {};
  if (options.customIntentModelPath !== undefined)
    loadOptions.customIntentModelPath = options.customIntentModelPath;
  if (options.modelsDir !== undefined) loadOptions.modelsDir = options.modelsDir;
  return createClassifierFromModels(loadClassifierModels(loadOptions).models);
}

export function createClassifierFromModels(models: ClassifierModels): Classifier {
  // Read the lexicon now, so start-up pays for it rather than the first message.
  getValenceLexicon();
  // Sentiment and abuse share one feature vector and one fused matrix; intent is scored on its own features.
  const scorer = createScorer({ sentiment: models.sentiment, abusive: models.abusive });
  const scorers = { shared: scorer, intent: createIntentScorer(models.intent) };
  return {
    version: models.version,
    classify: (texts) => {
      const list: readonly unknown[] = Array.isArray(texts) ? texts : [];
      return list.map((text) => {
        try {
          return classifyMessage(models, scorers, text);
        } catch {
          // Only a non-string whose toString throws gets here; it is classified as empty text.
          return classifyMessage(models, scorers, '');
        }
      });
    },
  };
}
