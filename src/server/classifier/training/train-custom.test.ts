import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../features/extract.js';
import { createClassifier } from '../index.js';
import { writeModelFile } from '../learn/model-file.js';
import { trainSoftmax } from '../learn/train-softmax.js';
import { parseIntentExamples, trainCustomIntents, type IntentExample } from './train-custom.js';

const examples: IntentExample[] = [
  ...[
    'book a table for two tonight',
    'reserve a table for friday',
    'can i get a booking for 4 people',
    'table for six on saturday please',
    'do you have space for dinner tomorrow',
  ].map((text) => ({ text, intent: 'reservation' })),
  ...[
    'is the pasta gluten free',
    'do you have vegan options',
    'what is on the menu today',
    'does the soup contain nuts',
    'which dishes are dairy free',
  ].map((text) => ({ text, intent: 'menu' })),
  ...[
    'the waiter was rude to us',
    'food was cold when it arrived',
    'we waited an hour for our mains',
    'the bill was wrong and nobody helped',
    'dirty tables and slow service',
  ].map((text) => ({ text, intent: 'complaint' })),
];

describe('custom intents', () => {
  it('trains, saves and is used by createClassifier instead of the default taxonomy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-intents-'));
    const path = join(dir, 'intents.bin');
    const result = trainCustomIntents(examples, path, { seed: 5 });
    expect(result.labels).toEqual(['complaint', 'menu', 'reservation']);
    const classifier = createClassifier({ customIntentModelPath: path });
    expect(classifier.version).toContain(result.version);
    const [a, b, c] = classifier.classify([
      'can I book a table for 3 on sunday',
      'are there vegan dishes on the menu',
      'the waiter was so rude and the food cold',
    ]);
    expect(a!.intent.label).toBe('reservation');
    expect(b!.intent.label).toBe('menu');
    expect(c!.intent.label).toBe('complaint');
  });

  it('falls back to the shipped taxonomy when the custom model file is missing', () => {
    const classifier = createClassifier({ customIntentModelPath: join(tmpdir(), 'no-such-model.bin') });
    expect(classifier.classify(['my internet is down'])[0]!.intent.label).toBe('outage');
  });

  it('adds to earlier examples unless reset, and is byte-identical from the same seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-intents-'));
    const path = join(dir, 'intents.bin');
    trainCustomIntents(examples.slice(0, 10), path, { seed: 1 });
    const added = trainCustomIntents(examples.slice(10), path, { seed: 1 });
    expect(added.examples).toBe(examples.length);
    const first = readFileSync(path);
    const reset = trainCustomIntents(examples, path, { seed: 1, reset: true });
    expect(reset.examples).toBe(examples.length);
    expect(readFileSync(path).equals(first)).toBe(true);
    expect(() => trainCustomIntents(examples.slice(0, 3), join(dir, 'one.bin'), { reset: true })).toThrow(
      /two intents/,
    );
  });

  it('parses JSON lines and reports a bad line by number', () => {
    expect(parseIntentExamples('{"text":"hi","intent":"greet"}\n\n')).toEqual([
      { text: 'hi', intent: 'greet' },
    ]);
    expect(() => parseIntentExamples('{"text":"hi"}')).toThrow(/line 1/);
  });
});

describe('intent models from before the intent learner', () => {
  it('are still read and scored on the shared features', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-intents-'));
    const path = join(dir, 'legacy.bin');
    const labels = ['complaint', 'menu', 'reservation'];
    const inputs = examples.map((e) => extractFeatures(e.text));
    const targets = Int32Array.from(examples.map((e) => labels.indexOf(e.intent)));
    writeModelFile(path, trainSoftmax(inputs, targets, labels, { dimBits: 12, epochs: 30, seed: 2 }), {
      version: 'legacy',
      minScore: 0,
    });
    const classifier = createClassifier({ customIntentModelPath: path });
    const [a] = classifier.classify(['can I book a table for 3 on sunday']);
    expect(a!.intent.label).toBe('reservation');
    expect(a!.explanations.find((e) => e.label === 'intent')?.features.length).toBeGreaterThan(0);
  });
});
