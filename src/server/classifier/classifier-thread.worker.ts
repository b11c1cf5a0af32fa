/** Runs on the classifier thread (see classifier-thread.ts): loads the models and answers batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { createClassifier } from './index.js';
import type { Classifier } from './types.js';
import { understandTexts, type TextToUnderstand } from './understand-fields.js';

const options = workerData as { customIntentModelPath: string; modelsDir?: string };
const load = (): Classifier => createClassifier({ customIntentModelPath: options.customIntentModelPath, ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}) });

const port = parentPort!;
let classifier: Classifier;
try {
  classifier = load();
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
port.on('message', (message: { type: 'understand'; seq: number; items: TextToUnderstand[] } | { type: 'reload' }) => {
  if (message.type === 'reload') {
    try {
      classifier = load();
    } catch (error) {
      // The previous models stay; the main thread reloads its own copy and logs the same problem.
      port.postMessage({ type: 'reload-failed', message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  try {
    port.postMessage({ type: 'understood', seq: message.seq, rows: understandTexts(classifier, message.items) });
  } catch (error) {
    port.postMessage({ type: 'understood', seq: message.seq, error: error instanceof Error ? error.message : String(error) });
  }
});
port.postMessage({ type: 'ready', version: classifier.version });
