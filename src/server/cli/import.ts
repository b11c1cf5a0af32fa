import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { envelopeSchema, type Envelope } from '../../shared/envelope.js';
import { systemActor } from '../../shared/permissions.js';
import type { ParleyApp } from '../app.js';
import { mapXV2StreamLine } from '../connectors/x/map.js';
import { CliError, withApp } from './context.js';

type Format = 'envelope' | 'x-v2';
const batchSize = 500;

interface Summary {
  lines: number;
  accepted: number;
  duplicates: number;
  edited: number;
  skipped: number;
  invalid: number;
  pipelineJobs: number;
  channelId: string;
}

/** Turns one line into an Envelope; null means "nothing to import" (keep-alive, our own post), a string is an error. */
const mapLine = (format: Format, raw: string, channelId: string, ownAccountIds: string[]): Envelope | null | string => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not valid JSON';
  }
  if (format === 'x-v2') return mapXV2StreamLine(value, channelId, { ownUserIds: ownAccountIds });
  const withChannel = typeof value === 'object' && value !== null && !('channelId' in value) ? { ...value, channelId } : value;
  const parsed = envelopeSchema.safeParse(withChannel);
  return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

const importChannel = async (app: ParleyApp, format: Format, file: string, channelId: string | undefined) => {
  if (channelId) return app.services.channels.get(channelId);
  // X lines keep the X platform so their authors resolve to the same customers as the live X channel.
  const platform = format === 'x-v2' ? 'x' : 'import';
  return app.services.channels.create({ platform, name: `Import ${path.basename(file)} (${new Date(app.clock.now()).toISOString().slice(0, 10)})` }, systemActor('cli'));
};

/** Streams a JSON-lines file through the real mappers and ingest in batches, then runs the pipeline to completion. */
export const importFile = async (app: ParleyApp, file: string, format: Format, channelIdOption?: string): Promise<Summary> => {
  const size = statSync(file).size;
  const channel = await importChannel(app, format, file, channelIdOption);
  const summary: Summary = { lines: 0, accepted: 0, duplicates: 0, edited: 0, skipped: 0, invalid: 0, pipelineJobs: 0, channelId: channel.id };
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'import |{bar}| {percentage}% | {lines} lines | {accepted} new', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(size, 0, { lines: 0, accepted: 0 });
  let bytes = 0;
  let batch: Envelope[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result = await app.services.ingest(batch);
    summary.accepted += result.accepted;
    summary.duplicates += result.duplicates;
    summary.edited += result.edited;
    batch = [];
    bar.update(bytes, { lines: summary.lines, accepted: summary.accepted });
  };
  const problems: string[] = [];
  for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    bytes += Buffer.byteLength(raw) + 1;
    if (raw.trim() === '') continue;
    summary.lines += 1;
    const mapped = mapLine(format, raw, channel.id, channel.ownAccountIds);
    if (typeof mapped === 'string') {
      summary.invalid += 1;
      if (problems.length < 5) problems.push(`line ${summary.lines}: ${mapped}`);
    } else if (mapped === null) summary.skipped += 1;
    else batch.push(mapped);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  bar.update(size, { lines: summary.lines, accepted: summary.accepted });
  bar.stop();
  for (const p of problems) process.stderr.write(`skipped ${p}\n`);
  await app.refreshMarketingTeam();
  summary.pipelineJobs = await app.worker.drain();
  return summary;
};

export const registerImportCommand = (program: Command): void => {
  program
    .command('import')
    .description('import JSON lines (Envelopes or X API v2 stream lines) through the whole pipeline')
    .argument('<file>', 'JSON-lines file')
    .addOption(new Option('--format <format>', 'line format').choices(['envelope', 'x-v2']).default('envelope'))
    .option('--channel <id>', 'channel to import into (default: a new import channel)')
    .action(async (file: string, opts: { format: Format; channel?: string }) => {
      try {
        statSync(file);
      } catch {
        throw new CliError(`cannot read ${file}`, 2);
      }
      const summary = await withApp((app) => importFile(app, file, opts.format, opts.channel));
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
};
