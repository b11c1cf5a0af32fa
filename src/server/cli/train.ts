import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SHIPPED_MODELS_DIR } from '../classifier/index.js';
import { parseIntentExamples, trainCustomIntents } from '../classifier/training/train-custom.js';
import { trainShippedModels } from '../classifier/training/train-shipped.js';
import { CliError, positiveInt, readConfig } from './context.js';

const readExamples = (file: string) => {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`cannot read ${file}`, 2);
  }
  try {
    return parseIntentExamples(body);
  } catch (error) {
    throw new CliError(`${file}: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
};

export const registerTrainCommands = (program: Command): void => {
  const train = program
    .command('train')
    .description('train the shipped sentiment, abuse and intent models from the public data sets')
    .option('--data <dir>', 'the shared data directory (SemEval, TweetEval …)', '../shared/data')
    .option('--out <dir>', 'where to write the model set', SHIPPED_MODELS_DIR)
    .option('--seed <n>', 'random seed', positiveInt, 42)
    .action((opts: { data: string; out: string; seed: number }) => {
      const result = trainShippedModels({ sharedDataDir: path.resolve(opts.data), outDir: path.resolve(opts.out), seed: opts.seed, log: (m) => process.stderr.write(`${m}\n`) });
      process.stdout.write(`${JSON.stringify({ version: result.version, files: result.files, metrics: result.metrics })}\n`);
    });

  train
    .command('intents')
    .description('teach Parley your own intents from JSON lines {"text","intent"}; adds to earlier examples unless --reset')
    .argument('<file>', 'JSON lines of labelled examples')
    .option('--reset', 'forget the examples of earlier runs')
    .action((file: string, opts: { reset?: boolean }) => {
      const config = readConfig();
      const examples = readExamples(file);
      const out = path.join(config.dataDir, 'models', 'intent-custom.bin');
      let result;
      try {
        result = trainCustomIntents(examples, out, { reset: opts.reset === true });
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error), 2);
      }
      process.stdout.write(`trained ${result.labels.length} intents (${result.labels.join(', ')}) from ${result.examples} examples → ${result.path} (version ${result.version})\n`);
    });
};
