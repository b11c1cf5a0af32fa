import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bench as decideBench, measureDecide, measureDecideStage } from '../../../bench/decide.bench.js';
import { bench as workloadBench } from '../../../bench/workload.bench.js';

const tmpDir = mkdtempSync(join(tmpdir(), 'parley-decide-bench-'));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));
const ctx = { sharedDataDir: null, postgresUrl: null, tmpDir, log: () => {} };

// These check that the modules run and report every key they declare; the figures are judged by `npm run bench`.
describe('decide benchmark modules', () => {
  it('decide measures a positive throughput and plans actions from its rules', () => {
    // bench.run measures for two seconds; a short run of the same code keeps the suite fast.
    const out = measureDecide({ messages: 500, minSeconds: 0 });
    expect(out.msgsPerS).toBeGreaterThan(0);
    expect(out.plannedPerMessage).toBeGreaterThan(0);
    expect(decideBench.keys).toEqual(['decide_msgs_per_s', 'decide_stage_sqlite_msgs_per_s']);
  });

  it('decide stage decides every message over the store and records the rules it ran', async () => {
    const out = await measureDecideStage(ctx, 300);
    expect(out.msgsPerS).toBeGreaterThan(0);
    expect(out.runs).toBeGreaterThan(0);
  }, 60_000);

  it('workload reports every simulation figure as a percentage', async () => {
    const out = await workloadBench.run(ctx);
    expect(Object.keys(out).sort()).toEqual([...workloadBench.keys].sort());
    for (const v of Object.values(out)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }
  });
});
