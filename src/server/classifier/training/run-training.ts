/**
 * Retrains the shipped models without the CLI: `npx tsx src/server/classifier/training/run-training.ts [DATA_DIR] [OUT_DIR]`.
 * Defaults: ../shared/data beside the clone, models/ at the repository root.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHIPPED_MODELS_DIR } from '../model-store.js';
import { evaluateAll, formatEvalReport } from './evaluate.js';
import { trainShippedModels } from './train-shipped.js';

export function runTraining(dataDir: string, outDir: string): void {
  const result = trainShippedModels({ sharedDataDir: dataDir, outDir, log: (m) => console.error(m) });
  console.log(JSON.stringify(result, null, 2));
  const report = evaluateAll({
    sharedDataDir: dataDir,
    modelsDir: outDir,
    tasks: ['sentiment', 'abusive'],
    log: (m) => console.error(m),
  });
  console.log(formatEvalReport(report));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dataDir = resolve(process.argv[2] ?? resolve(SHIPPED_MODELS_DIR, '..', '..', 'shared', 'data'));
  runTraining(dataDir, resolve(process.argv[3] ?? SHIPPED_MODELS_DIR));
}
