import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_WORKER_BATCH, loadConfig } from './config.js';

describe('PARLEY_WORKER_BATCH', () => {
  it('defaults by store: smaller on the embedded store, whose batches hold the thread that answers HTTP', () => {
    expect(loadConfig({}).workerBatch).toBe(DEFAULT_WORKER_BATCH.sqlite);
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).workerBatch).toBe(DEFAULT_WORKER_BATCH.postgres);
    expect(DEFAULT_WORKER_BATCH.sqlite).toBeLessThan(DEFAULT_WORKER_BATCH.postgres);
  });

  it('takes a count from 1 to 5000 on either store', () => {
    expect(loadConfig({ PARLEY_WORKER_BATCH: '300' }).workerBatch).toBe(300);
    expect(loadConfig({ PARLEY_WORKER_BATCH: '5000', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).workerBatch).toBe(5000);
  });

  it('stops start-up on a count out of range, naming the variable', () => {
    for (const bad of ['0', '5001', 'many', '2.5']) {
      // ConfigError's message lists every problem, each naming its variable.
      expect(() => loadConfig({ PARLEY_WORKER_BATCH: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ PARLEY_WORKER_BATCH: bad }), bad).toThrow(/PARLEY_WORKER_BATCH/);
    }
  });
});
