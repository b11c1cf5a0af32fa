import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { getCountries, type CountryCode } from 'libphonenumber-js';
import { envelopeSchema, type Envelope } from '../../shared/envelope.js';
import { systemActor } from '../../shared/permissions.js';
import type { ParleyApp } from '../app.js';
import { AppError } from '../platform/errors.js';
import { mapXV2StreamLine } from '../connectors/x/map.js';
import { CliError, withApp } from './context.js';

type Format = 'envelope' | 'x-v2' | 'crm-csv';
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

/** CRM fields from a CSV into customers' fields, through the same service as `POST /api/v1/customers/import`. */
export const importCrmCsv = async (app: ParleyApp, file: string, options: { region?: string; createMissing?: boolean; dryRun?: boolean }) => {
  const size = statSync(file).size;
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'crm import |{bar}| {percentage}% | {rows} rows | {updated} customers updated', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(size, 0, { rows: 0, updated: 0 });
  let bytes = 0;
  // Read twice: once to check the whole file, once to import it; the bar follows the importing read.
  let reads = 0;
  const open = () => {
    const input = createReadStream(file);
    reads += 1;
    if (reads === 2) input.on('data', (chunk) => {
      bytes += chunk.length;
    });
    return input;
  };
  try {
    const summary = await app.services.customerRecords.importCsv(
      open,
      { ...(options.region ? { region: options.region.toUpperCase() as CountryCode } : {}), createMissing: options.createMissing ?? false, dryRun: options.dryRun ?? false },
      systemActor('cli'),
      (s) => bar.update(bytes, { rows: s.rows, updated: s.updated }),
    );
    bar.update(size, { rows: summary.rows, updated: summary.updated });
    return summary;
  } catch (error) {
    if (error instanceof AppError) throw new CliError(`${file}: ${error.message}`, 2);
    throw error;
  } finally {
    bar.stop();
  }
};

export const registerImportCommand = (program: Command): void => {
  program
    .command('import')
    .description('import JSON lines (Envelopes or X API v2 stream lines) through the whole pipeline, or CRM fields from a CSV (--format crm-csv)')
    .argument('<file>', 'JSON-lines file, or a CSV with --format crm-csv')
    .addOption(new Option('--format <format>', 'file format').choices(['envelope', 'x-v2', 'crm-csv']).default('envelope'))
    .option('--channel <id>', 'channel to import into (default: a new import channel)')
    .option('--region <code>', 'crm-csv: region for phone numbers without a country code (e.g. GB)')
    .option('--create-missing', 'crm-csv: rows with an email address that matches no customer create one')
    .option('--dry-run', 'crm-csv: match and count, write nothing')
    .action(async (file: string, opts: { format: Format; channel?: string; region?: string; createMissing?: boolean; dryRun?: boolean }) => {
      try {
        statSync(file);
      } catch {
        throw new CliError(`cannot read ${file}`, 2);
      }
      if (opts.format === 'crm-csv') {
        if (opts.channel) throw new CliError('--channel does not apply to --format crm-csv', 2);
        if (opts.region && !(getCountries() as string[]).includes(opts.region.toUpperCase())) throw new CliError(`--region ${opts.region}: not an ISO 3166 alpha-2 region such as GB`, 2);
        const crm = await withApp((app) => importCrmCsv(app, file, opts));
        process.stdout.write(`${JSON.stringify(crm)}\n`);
        return;
      }
      if (opts.region || opts.createMissing || opts.dryRun) throw new CliError('--region, --create-missing and --dry-run apply to --format crm-csv only', 2);
      const summary = await withApp((app) => importFile(app, file, opts.format, opts.channel));
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
};
