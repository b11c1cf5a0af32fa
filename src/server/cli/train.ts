import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SHIPPED_MODELS_DIR } from '../classifier/index.js';
import { parseIntentExamples, trainCustomIntents } from '../classifier/training/train-custom.js';
import { trainShippedModels } from '../classifier/training/train-shipped.js';
import { CliError, positiveInt, readConfig, stderrLogger, withApp } from './context.js';
import type { Config } from '../config.js';
import { sqliteFileIn } from '../db/database.js';
import { openEventRelay } from '../db/event-relay.js';
import { evaluateAll, formatEvalReport } from '../classifier/training/evaluate.js';

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

/**
 * Tells the processes running on this store (the server) to reload the intent model, as training through the API
 * does. Only the relay is opened: training needs no store, and a data folder without one has no server to tell.
 */
const announceModelChange = async (config: Config): Promise<void> => {
  const sqliteFile = sqliteFileIn(config.dataDir);
  if (!config.databaseUrl && !existsSync(sqliteFile)) return;
  const relay = await openEventRelay({ databaseUrl: config.databaseUrl, sqliteFile }, stderrLogger(config));
  relay?.bus.publish({ type: 'classifier.changed' });
  await relay?.stop();
};

export const registerTrainCommands = (program: Command): void => {
  const train = program
    .command('train')
    .description('train the shipped sentiment, abuse and intent models from the public data sets')
    .option('--data <dir>', 'the shared data directory (SemEval, TweetEval …)', '../shared/data')
    .option('--out <dir>', 'where to write the model set', SHIPPED_MODELS_DIR)
    .option('--seed <n>', 'random seed', positiveInt, 42)
    .option('--no-corrections', "leave out the intent corrections agents made in this workspace")
    .action(async (opts: { data: string; out: string; seed: number; corrections: boolean }) => {
      // Agents' intent corrections in this workspace are training data too.
      const extraExamples = opts.corrections ? await withApp((app) => app.classification.intentExamples()) : [];
      if (extraExamples.length) process.stderr.write(`adding ${extraExamples.length} intent corrections from this workspace\n`);
      const result = trainShippedModels({ sharedDataDir: path.resolve(opts.data), outDir: path.resolve(opts.out), seed: opts.seed, extraExamples, log: (m) => process.stderr.write(`${m}\n`) });
      process.stdout.write(`${JSON.stringify({ version: result.version, files: result.files, metrics: result.metrics })}\n`);
    });

  train
    .command('intents')
    .description('teach Parley your own intents from JSON lines {"text","intent"}; adds to earlier examples unless --reset; --reset alone returns to the default taxonomy')
    .argument('[file]', 'JSON lines of labelled examples')
    .option('--reset', 'forget the examples of earlier runs (with no file: go back to the default taxonomy)')
    .action(async (file: string | undefined, opts: { reset?: boolean }) => {
      const config = readConfig();
      const out = path.join(config.dataDir, 'models', 'intent-custom.bin');
      if (file === undefined) {
        if (!opts.reset) throw new CliError('give a FILE of examples, or --reset to return to the default taxonomy', 2);
        for (const f of [out, `${out}.examples.jsonl`]) if (existsSync(f)) rmSync(f);
        await announceModelChange(config);
        process.stdout.write('custom intents removed: the default taxonomy is in use\n');
        return;
      }
      const examples = readExamples(file);
      let result;
      try {
        result = trainCustomIntents(examples, out, { reset: opts.reset === true });
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error), 2);
      }
      await announceModelChange(config);
      process.stdout.write(`trained ${result.labels.length} intents (${result.labels.join(', ')}) from ${result.examples} examples → ${result.path} (version ${result.version})\n`);
    });

  program
    .command('eval')
    .description("evaluate Parley's models beside the peer libraries (AFINN, VADER, wink) on the same validation splits")
    .option('--data <dir>', 'the shared data directory', '../shared/data')
    .option('--tasks <list>', 'comma-separated: sentiment,abusive,seed-intents,banking77,clinc150', 'sentiment,abusive,seed-intents,banking77,clinc150')
    .option('--json', 'print the report as JSON')
    .action((opts: { data: string; tasks: string; json?: boolean }) => {
      const known = ['sentiment', 'abusive', 'seed-intents', 'banking77', 'clinc150'] as const;
      const tasks = opts.tasks.split(',').map((t) => t.trim());
      const unknown = tasks.filter((t) => !(known as readonly string[]).includes(t));
      if (unknown.length) throw new CliError(`unknown task(s): ${unknown.join(', ')}; choose from ${known.join(', ')}`, 2);
      if (!existsSync(path.resolve(opts.data))) throw new CliError(`no data directory at ${path.resolve(opts.data)} (--data)`, 2);
      const report = evaluateAll({ sharedDataDir: path.resolve(opts.data), tasks: tasks as (typeof known)[number][], log: (m) => process.stderr.write(`${m}\n`) });
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatEvalReport(report)}\n`);
    });
};
