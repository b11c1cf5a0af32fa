import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { detectPii } from '../../shared/pii/index.js';
import { createClassifier } from '../classifier/index.js';
import type { Classifier } from '../classifier/types.js';
import { positiveInt, readConfig, writeLine } from './context.js';

type Line = { id: string | number; text: string } | { id: string | number | null; error: string };

const parseLine = (raw: string): Line => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { id: null, error: 'line is not valid JSON' };
  }
  const rec = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? rec.id : null;
  if (id === null) return { id: null, error: 'id: expected a string or number' };
  if (typeof rec.text !== 'string') return { id, error: 'text: expected a string' };
  return { id, text: rec.text };
};

/** Classifies a batch of parsed lines; output order follows input order. */
const classifyBatch = (classifier: Classifier, batch: Line[]): unknown[] => {
  const texts = batch.flatMap((l) => ('text' in l ? [l.text] : []));
  const results = classifier.classify(texts);
  let next = 0;
  return batch.map((line) => {
    if (!('text' in line)) return line;
    const c = results[next++];
    if (!c) return { id: line.id, error: 'classifier returned no result' };
    return {
      id: line.id,
      language: c.language,
      sentiment: c.sentiment,
      intent: c.intent,
      urgency: c.urgency,
      needsResponse: c.needsResponse,
      spam: c.spam,
      abusive: c.abusive,
      escalation: c.escalation,
      pii: detectPii(line.text).map((f) => ({ type: f.type, start: f.start, end: f.end })),
      modelVersion: c.modelVersion,
    };
  });
};

export const registerClassifyCommand = (program: Command): void => {
  program
    .command('classify')
    .description('JSON lines {"id","text"} on stdin → JSON lines with language, sentiment, intent, urgency, needsResponse, spam and pii on stdout')
    .option('--batch <n>', 'lines classified together', positiveInt, 256)
    .action(async (opts: { batch: number }) => {
      const config = readConfig();
      // A company's own intent model (from `parley train intents`) replaces the default taxonomy when present.
      const classifier = createClassifier({ customIntentModelPath: path.join(config.dataDir, 'models', 'intent-custom.bin') });
      let batch: Line[] = [];
      const flush = async (): Promise<void> => {
        for (const out of classifyBatch(classifier, batch)) await writeLine(process.stdout, out);
        batch = [];
      };
      for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        if (raw.trim() === '') continue;
        batch.push(parseLine(raw));
        if (batch.length >= opts.batch) await flush();
      }
      await flush();
    });
};
