/** Runs on the classifier thread (see classifier-thread.ts): loads the models and answers batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { createClassifier } from './index.js';
import type { Classifier } from './types.js';
import { loadSeedIntents } from './training/train-custom.js';
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
/**
 * Before it says it is ready, the thread classifies the shipped seed examples a few times (about 4,000 texts, a
 * fifth of a second): V8 optimises the scoring loops only after they have run many times, and until then the first
 * seconds of traffic after a start wait on slow answers (at 1,000 messages/s, p99 from acknowledgement to the queue
 * fell from 1.0-1.3 s to 0.45-0.8 s over those seconds in the ack benchmark).
 */
const WARM_PASSES = 8;
const warm = (): void => {
  const texts: TextToUnderstand[] = loadSeedIntents().map((e) => ({ text: e.text, subject: null }));
  for (let pass = 0; pass < WARM_PASSES; pass += 1) understandTexts(classifier, texts);
};
warm();
port.postMessage({ type: 'ready', version: classifier.version });
