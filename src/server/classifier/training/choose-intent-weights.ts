/**
 * Chooses INTENT_LEARNER's ensemble weights away from Banking77, so its plain k-fold figure is not tuned on its own
 * test folds: the inner-CV selection of nested-selection.ts run over all of CLINC150's train + oos_train (never its
 * validation split). `npx tsx src/server/classifier/training/choose-intent-weights.ts [DATA_DIR]`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { countTexts, INTENT_LEARNER } from '../learn/intent-learner.js';
import { SHIPPED_MODELS_DIR } from '../model-store.js';
import { loadClinc150 } from './datasets.js';
import { selectEnsembleWeights, type EnsembleWeights } from './nested-selection.js';

/** `dimBits` is the hash space the texts are counted in (INTENT_LEARNER's unless a test asks for a smaller one). */
export function chooseWeightsOnClinc150(
  dataDir: string,
  seed = 42,
  dimBits = INTENT_LEARNER.dimBits,
): EnsembleWeights {
  const splits = loadClinc150(dataDir);
  const rows = [...splits.train, ...splits.oosTrain];
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = countTexts(
    rows.map((r) => r.text),
    dimBits,
  );
  const targets = Int32Array.from(rows.map((r) => index.get(r.label) as number));
  return selectEnsembleWeights(
    counts,
    targets,
    labels,
    rows.map((_, i) => i),
    seed,
    { dimBits },
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dataDir = resolve(process.argv[2] ?? resolve(SHIPPED_MODELS_DIR, '..', '..', 'shared', 'data'));
  console.log(JSON.stringify(chooseWeightsOnClinc150(dataDir)));
}
