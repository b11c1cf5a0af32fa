import type { Classifier } from './types.js';

/** A classifier whose models can be swapped in place (after `train intents`), for every stage that holds it. */
export const createReloadableClassifier = (load: () => Classifier): Classifier & { reload(): void } => {
  let current = load();
  return {
    get version() {
      return current.version;
    },
    classify: (texts) => current.classify(texts),
    reload() {
      current = load();
    },
  };
};
