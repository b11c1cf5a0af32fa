import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { platforms } from '../../shared/envelope.js';
import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { customerKeyString, type CustomerKey } from '../repositories/customer-records.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { recordAudit } from './audit.js';

export interface CrmImportOptions {
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2, e.g. GB). */
  region?: CountryCode;
  /** Rows that match no customer but carry an email address create a customer with that address (unverified). */
  createMissing?: boolean;
  /** Match and count, write nothing. */
  dryRun?: boolean;
}

export interface CrmImportProblem {
  row: number;
  reason: string;
}

export interface CrmImportSummary {
  rows: number;
  matched: number;
  updated: number;
  created: number;
  unmatched: number;
  ambiguous: number;
  invalid: number;
  /** The CRM columns written into customers' fields. */
  fields: string[];
  /** The first problems, by CSV row number (the header is row 1). */
  problems: CrmImportProblem[];
  dryRun: boolean;
}

const MAX_FIELDS = 100;
const MAX_VALUE = 2000;
const BATCH = 500;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type KeyColumn =
  | { column: string; kind: 'customer_id' | 'email' | 'phone' }
  | { column: string; kind: 'handle' | 'platform_id'; platform: string };

/** Key columns in the order they are tried: an explicit customer id, then email, phone, platform handles and ids. */
export const keyColumnsOf = (header: readonly string[]): { keys: KeyColumn[]; fields: string[] } => {
  const keys: KeyColumn[] = [];
  const fields: string[] = [];
  for (const column of header) {
    const name = column.trim().toLowerCase();
    if (name === 'customer_id' || name === 'email' || name === 'phone') keys.push({ column, kind: name });
    else {
      const m = /^([a-z]+)_(handle|id)$/.exec(name);
      const platform = m && (platforms as readonly string[]).includes(m[1]!) ? m[1]! : null;
      if (m && platform) keys.push({ column, kind: m[2] === 'handle' ? 'handle' : 'platform_id', platform });
      else fields.push(column.trim());
    }
  }
  const rank = { customer_id: 0, email: 1, phone: 2, handle: 3, platform_id: 4 } as const;
  keys.sort((a, b) => rank[a.kind] - rank[b.kind]);
  return { keys, fields };
};

/** The header's key and field columns, or a clear error naming what is wrong with it. */
export const layoutOf = (header: readonly string[]): ReturnType<typeof keyColumnsOf> => {
  const layout = keyColumnsOf(header);
  if (layout.keys.length === 0) throw new AppError('validation_failed', 'the CSV header names no customer key column: add customer_id, email, phone, <platform>_handle or <platform>_id', 'header');
  if (layout.fields.length === 0) throw new AppError('validation_failed', 'the CSV has no field columns besides its key columns', 'header');
  if (layout.fields.length > MAX_FIELDS) throw new AppError('validation_failed', `at most ${MAX_FIELDS} field columns`, 'header');
  if (layout.fields.some((f) => f.length === 0 || f.length > 100)) throw new AppError('validation_failed', 'field column names must be 1–100 characters', 'header');
  return layout;
};

/** The keys one row offers, normalised; an unusable key value is a problem only when no other key is usable. */
const rowKeys = (row: Record<string, string>, keys: readonly KeyColumn[], region: CountryCode | undefined): { keys: CustomerKey[]; email: string | null; problems: string[] } => {
  const out: CustomerKey[] = [];
  const problems: string[] = [];
  let email: string | null = null;
  for (const k of keys) {
    const raw = (row[k.column] ?? '').trim();
    if (raw === '') continue;
    if (k.kind === 'customer_id') out.push({ kind: 'customer_id', value: raw });
    else if (k.kind === 'email') {
      const value = raw.toLowerCase();
      if (!EMAIL.test(value)) problems.push(`${k.column}: not an email address`);
      else {
        email = value;
        out.push({ kind: 'email', value });
      }
    } else if (k.kind === 'phone') {
      const parsed = parsePhoneNumberFromString(raw, region);
      if (!parsed?.isValid()) problems.push(`${k.column}: not a valid phone number${region ? '' : ' (numbers without a country code need a region)'}`);
      else out.push({ kind: 'phone', value: parsed.number });
    } else if ('platform' in k) out.push({ kind: k.kind, platform: k.platform, value: k.kind === 'handle' ? raw.replace(/^@/, '') : raw });
  }
  return { keys: out, email, problems };
};

/** CRM fields from a CSV: each row finds its customer by id, email, phone or platform identity, its other columns become fields. */
export const createCustomerRecordsService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { uow, clock } = deps;

  const importRows = async (rows: AsyncIterable<Record<string, string>>, header: () => string[], options: CrmImportOptions, actor: Actor, onProgress?: (summary: CrmImportSummary) => void): Promise<CrmImportSummary> => {
    const summary: CrmImportSummary = { rows: 0, matched: 0, updated: 0, created: 0, unmatched: 0, ambiguous: 0, invalid: 0, fields: [], problems: [], dryRun: options.dryRun ?? false };
    const problem = (row: number, reason: string) => {
      if (summary.problems.length < 20) summary.problems.push({ row, reason });
    };
    let layout: ReturnType<typeof keyColumnsOf> | null = null;
    let batch: { row: number; values: Record<string, string> }[] = [];

    const flush = async () => {
      if (batch.length === 0 || !layout) return;
      const current = batch;
      batch = [];
      const { keys: keyColumns, fields } = layout;
      const prepared = current.map((r) => ({ ...r, ...rowKeys(r.values, keyColumns, options.region) }));
      await uow(async (tx) => {
        const now = clock.now();
        const resolved = await tx.customerRecords.resolve(prepared.flatMap((p) => p.keys));
        const updates = new Map<string, Record<string, unknown>>();
        const toCreate: { email: string; fields: Record<string, unknown> }[] = [];
        for (const p of prepared) {
          const rowFields: Record<string, unknown> = {};
          for (const f of fields) {
            const v = (p.values[f] ?? '').trim();
            if (v !== '') rowFields[f] = v.slice(0, MAX_VALUE);
          }
          if (p.keys.length === 0) {
            summary.invalid += 1;
            problem(p.row, p.problems[0] ?? `no customer key: give one of customer_id, email, phone, <platform>_handle or <platform>_id`);
            continue;
          }
          const hits = p.keys.map((k) => resolved.get(customerKeyString(k)));
          const customerId = hits.find((h) => h !== undefined && h !== '');
          if (customerId) {
            summary.matched += 1;
            updates.set(customerId, { ...(updates.get(customerId) ?? {}), ...rowFields });
          } else if (hits.some((h) => h === '')) {
            summary.ambiguous += 1;
            problem(p.row, 'matches several customers: merge them first, or use customer_id');
          } else if (options.createMissing && p.email) {
            toCreate.push({ email: p.email, fields: rowFields });
          } else {
            summary.unmatched += 1;
            problem(p.row, 'matches no customer');
          }
        }
        const current = await tx.customerRecords.fieldsOf([...updates.keys()]);
        for (const [customerId, rowFields] of updates) {
          const merged = { ...(current.get(customerId) ?? {}), ...rowFields };
          if (Object.keys(merged).length > MAX_FIELDS) {
            summary.invalid += 1;
            problem(0, `customer ${customerId} would have more than ${MAX_FIELDS} fields`);
            continue;
          }
          if (!options.dryRun) await tx.customers.updateFields(customerId, merged, now);
          summary.updated += 1;
        }
        // Two rows with one new address create one customer.
        const byEmail = new Map<string, Record<string, unknown>>();
        for (const c of toCreate) byEmail.set(c.email, { ...(byEmail.get(c.email) ?? {}), ...c.fields });
        for (const [email, rowFields] of byEmail) {
          summary.created += 1;
          if (options.dryRun) continue;
          const customerId = newId();
          await tx.customers.createWithIdentity(customerId, newId(), { platform: 'email', platformId: email, handle: null, displayName: null, followers: 0, verified: false, email }, now);
          await tx.customers.updateFields(customerId, rowFields, now);
        }
      });
      onProgress?.(summary);
    };

    for await (const values of rows) {
      if (!layout) {
        layout = layoutOf(header());
        summary.fields = layout.fields;
      }
      summary.rows += 1;
      batch.push({ row: summary.rows + 1, values });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (!layout) throw new AppError('validation_failed', 'the CSV has no data rows', 'body');
    if (!summary.dryRun) {
      await uow((tx) => recordAudit(tx, actor, clock.now(), 'customer.crm_import', { type: 'customer', id: null }, { rows: summary.rows, updated: summary.updated, created: summary.created, unmatched: summary.unmatched, ambiguous: summary.ambiguous, invalid: summary.invalid, fields: summary.fields }));
    }
    return summary;
  };

  return {
    /**
     * Imports CSV text (a string, a Buffer, or a function that opens a byte stream). The whole file is parsed once
     * before anything is written, so a malformed file changes nothing; rows are then matched and written 500 at a time.
     */
    async importCsv(input: string | Buffer | (() => Readable), options: CrmImportOptions, actor: Actor, onProgress?: (summary: CrmImportSummary) => void): Promise<CrmImportSummary> {
      const open = () => {
        let header: string[] = [];
        const parser = parse({
          bom: true,
          trim: true,
          skip_empty_lines: true,
          columns: (h: string[]) => {
            header = h.map((c) => String(c).trim());
            const seen = new Set<string>();
            for (const key of header) {
              if (seen.has(key)) throw new AppError('validation_failed', `column ${key} appears twice`, 'header');
              seen.add(key);
            }
            return header;
          },
        });
        const source = typeof input === 'function' ? input() : Readable.from([input]);
        source.on('error', (e) => parser.destroy(e));
        source.pipe(parser);
        return { rows: parser as AsyncIterable<Record<string, string>>, header: () => header };
      };
      const translate = (error: unknown): never => {
        if (error instanceof AppError) throw error;
        // csv-parse names the line of a malformed record (an unclosed quote, a wrong column count).
        const e = error as { code?: string; message?: string };
        if (typeof e.code === 'string' && e.code.startsWith('CSV_')) throw new AppError('validation_failed', `invalid CSV: ${e.message ?? e.code}`, 'body');
        throw error;
      };
      try {
        const check = open();
        let rows = 0;
        for await (const _ of check.rows) {
          if (rows === 0) layoutOf(check.header());
          rows += 1;
        }
        const pass = open();
        return await importRows(pass.rows, pass.header, options, actor, onProgress);
      } catch (error) {
        return translate(error);
      }
    },

    async addNote(customerId: string, body: string, actor: Actor) {
      return uow(async (tx) => {
        const customer = await tx.customers.get(customerId);
        if (!customer) throw new AppError('customer_not_found', `no customer ${customerId}`, 'id');
        const note = { id: newId(), customerId, authorId: actor.userId, body, createdAt: clock.now() };
        await tx.customerRecords.addNote(note);
        await recordAudit(tx, actor, note.createdAt, 'customer.note', { type: 'customer', id: customerId }, { noteId: note.id });
        return note;
      });
    },

    async notes(customerId: string) {
      const customer = await deps.repos.customers.get(customerId);
      if (!customer) throw new AppError('customer_not_found', `no customer ${customerId}`, 'id');
      return deps.repos.customerRecords.notesOf(customerId);
    },
  };
};

export type CustomerRecordsService = ReturnType<typeof createCustomerRecordsService>;
