/** Child process for the crash test: imports envelopes in batches and prints each acknowledgement, until killed. */
import { createApp } from '../../src/server/app.js';
import { createClassifier } from '../../src/server/classifier/index.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { generateEnvelopes } from '../../bench/support/envelopes.js';

const config = loadConfig(process.env);
const app = await createApp({ config, logger: createLogger('silent'), classifier: createClassifier(), serveSpa: false });
const channelId = process.env.CRASH_CHANNEL_ID as string;
const total = Number(process.env.CRASH_TOTAL ?? 20_000);
const envelopes = generateEnvelopes(channelId, total, { seed: 11 });
app.worker.start();
for (let i = 0; i < envelopes.length; i += 500) {
  const batch = envelopes.slice(i, i + 500);
  await app.services.ingest(batch);
  process.stdout.write(`ACK ${batch[batch.length - 1]!.externalId} ${i + batch.length}\n`);
}
process.stdout.write('DONE\n');
await new Promise(() => undefined);
