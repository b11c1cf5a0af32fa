import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench } from '../../../bench/classifier.bench.js';

describe('classifier bench module', () => {
  it('reports every key, with null for data-based figures when shared data is absent', async () => {
    const figures = await bench.run({
      sharedDataDir: null,
      postgresUrl: null,
      tmpDir: mkdtempSync(join(tmpdir(), 'parley-bench-')),
      log: () => {},
    });
    expect(Object.keys(figures).sort()).toEqual([...bench.keys].sort());
    expect(figures.sentiment_val_macro_recall).toBeNull();
    expect(figures.banking77_cv_accuracy).toBeNull();
    expect(figures.banking77_nested_cv_accuracy).toBeNull();
    expect(figures.classify_msgs_per_s).toBeGreaterThan(0);
    expect(figures.classifier_load_ms).toBeGreaterThan(0);
    expect(figures.classifier_rss_mb).toBeGreaterThan(0);
  });
});
