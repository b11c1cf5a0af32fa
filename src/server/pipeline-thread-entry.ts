import { parentPort, workerData } from 'node:worker_threads';
import { createApp, type PipelineThreadShared } from './app.js';
import type { Config } from './config.js';
import { createLogger } from './platform/logger.js';
import type { FromPipelineThread, ToPipelineThread } from './pipeline-thread.js';

/** The pipeline thread (see pipeline-thread.ts): the worker role of this process over the shared store. */
const port = parentPort;
if (!port) throw new Error('pipeline-thread-entry runs only as a worker thread');
const data = workerData as { config: Config; shared: PipelineThreadShared };
// Structured cloning turns the key Buffer into a plain Uint8Array.
const config: Config = Object.freeze({ ...data.config, secretKey: data.config.secretKey ? Buffer.from(data.config.secretKey) : null });
const logger = createLogger(config.logLevel).child({ thread: 'pipeline' });
const send = (message: FromPipelineThread) => port.postMessage(message);

try {
  const app = await createApp({ config, logger, serveSpa: false, threadChild: data.shared });
  await app.start(['worker']);
  port.on('message', (message: ToPipelineThread) => {
    if (message.type === 'metrics') {
      app.metrics
        .snapshot()
        .then((snapshot) => send({ type: 'metrics', id: message.id, snapshot }))
        .catch(() => send({ type: 'metrics', id: message.id, snapshot: [] }));
    } else if (message.type === 'stop') {
      app
        .stop()
        .catch((err: unknown) => logger.error({ err: String(err) }, 'pipeline thread stop failed'))
        .finally(() => port.close());
    }
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}
