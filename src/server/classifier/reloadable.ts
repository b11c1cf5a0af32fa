import type { Classifier } from './types.js';

/**
 * A classifier whose models can be swapped in place (after `train intents`), for every stage that holds it.
 * Models load on first use: a process that only serves the web (scale mode) never pays for them.
 */
export const createReloadableClassifier = (load: () => Classifier): Classifier & { reload(): void } => {
  let current: Classifier | null = null;
  const get = (): Classifier => (current ??= load());
  return {
    get version() {
      return get().version;
    },
    classify: (texts) => get().classify(texts),
    reload() {
      current = current ? load() : null;
    },
  };
};
