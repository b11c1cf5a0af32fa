/** `parley train intents FILE [--reset]`: a company teaches Parley its own intents from labelled examples. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModelFile } from '../learn/model-file.js';
import { trainIntentModel } from '../learn/intent-learner.js';

export interface IntentExample {
  text: string;
  intent: string;
}

export interface CustomIntentResult {
  path: string;
  version: string;
  labels: string[];
  examples: number;
}

/** Where the examples behind a custom model are kept, so later runs can add to them. */
export function examplesPathFor(modelPath: string): string {
  return `${modelPath}.examples.jsonl`;
}

/** Parses JSON lines of `{"text","intent"}`; blank lines are skipped, malformed ones are reported with their number. */
export function parseIntentExamples(body: string): IntentExample[] {
  const out: IntentExample[] = [];
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const row = JSON.parse(line) as Partial<IntentExample>;
    if (typeof row.text !== 'string' || typeof row.intent !== 'string' || row.intent.trim() === '') {
      throw new Error(`line ${i + 1}: expected {"text": string, "intent": string}`);
    }
    out.push({ text: row.text, intent: row.intent.trim() });
  });
  return out;
}

/** The project's own labelled examples of the default taxonomy (shipped with the code). */
export const SEED_INTENTS_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'seed', 'intents.jsonl');

export function loadSeedIntents(): IntentExample[] {
  return parseIntentExamples(readFileSync(SEED_INTENTS_PATH, 'utf8'));
}

/**
 * Trains an intent model from examples and writes it to `outPath`. Unless `reset`, examples stored beside an
 * earlier model are kept and the new ones added. Throws when fewer than two intents remain.
 */
export function trainCustomIntents(
  examples: readonly IntentExample[],
  outPath: string,
  options: { reset?: boolean; seed?: number } = {},
): CustomIntentResult {
  const sidecar = examplesPathFor(outPath);
  const previous =
    !options.reset && existsSync(sidecar) ? parseIntentExamples(readFileSync(sidecar, 'utf8')) : [];
  const all = [...previous, ...examples];
  const labels = [...new Set(all.map((e) => e.intent))].sort();
  if (labels.length < 2) throw new Error(`need examples of at least two intents, got ${labels.length}`);
  const model = trainIntentModel(
    all.map((e) => ({ text: e.text, label: e.intent })),
    { seed: options.seed ?? 42 },
    labels,
  );
  const body = all.map((e) => JSON.stringify(e)).join('\n') + '\n';
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  mkdirSync(dirname(outPath), { recursive: true });
  writeModelFile(outPath, model, { kind: 'intent', version, examples: all.length, minScore: 0 });
  writeFileSync(sidecar, body);
  return { path: outPath, version, labels, examples: all.length };
}
