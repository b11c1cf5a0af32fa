import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseWeightsOnClinc150 } from './choose-intent-weights.js';
import { WEIGHT_GRID } from './nested-selection.js';

const texts: Record<string, string[]> = {
  balance: [
    'what is my balance',
    'how much money do i have',
    'show my account balance',
    'balance please',
    'check my funds',
    'money left in my account',
  ],
  transfer: [
    'send money to john',
    'transfer 20 dollars',
    'move money to savings',
    'wire cash to my mum',
    'pay my friend back',
    'transfer funds now',
  ],
  weather: [
    'will it rain today',
    'what is the forecast',
    'is it sunny outside',
    'weather tomorrow please',
    'how cold is it',
    'do i need an umbrella',
  ],
};

describe('choosing the intent learner weights on CLINC150', () => {
  it('reads train + oos_train from the CLINC150 file and returns weights from the grid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-clinc-'));
    mkdirSync(join(dir, 'intents', 'clinc150'), { recursive: true });
    const train = Object.entries(texts).flatMap(([label, rows]) => rows.map((t) => [t, label]));
    const oos = ['tell me a joke', 'who won the game', 'sing a song'].map((t) => [t, 'oos']);
    writeFileSync(
      join(dir, 'intents', 'clinc150', 'data_full_train_val.json'),
      JSON.stringify({ train, val: [], oos_train: oos, oos_val: [] }),
    );
    const weights = chooseWeightsOnClinc150(dir, 3, 12);
    expect(WEIGHT_GRID.crammerSinger).toContain(weights.crammerSingerWeight);
    expect(WEIGHT_GRID.wordCrammerSinger).toContain(weights.wordCrammerSingerWeight);
    expect(WEIGHT_GRID.centroid).toContain(weights.centroidWeight);
    expect(chooseWeightsOnClinc150(dir, 3, 12)).toEqual(weights);
  });
});
