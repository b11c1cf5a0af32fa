import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainIntentModel } from '../learn/intent-learner.js';
import { encodeModel } from '../learn/model-file.js';
import { SHIPPED_MODELS_DIR } from '../model-store.js';
import { loadSeedIntents } from './train-custom.js';
import { DEFAULT_TAXONOMY_LEARNER, MODEL_SET_VERSION } from './train-shipped.js';

describe('shipped default-taxonomy intent model', () => {
  it('is what the learner makes of the seed set at seed 42, byte for byte', () => {
    const examples = loadSeedIntents();
    const model = trainIntentModel(
      examples.map((e) => ({ text: e.text, label: e.intent })),
      { ...DEFAULT_TAXONOMY_LEARNER, seed: 42 },
    );
    const bytes = encodeModel(model, { kind: 'intent', version: MODEL_SET_VERSION });
    const shipped = readFileSync(join(SHIPPED_MODELS_DIR, 'intent.bin'));
    expect(bytes.length).toBe(shipped.length);
    expect(Buffer.compare(bytes, shipped)).toBe(0);
  });
});
