import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getCountries, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { idSchema } from '../../../shared/api.js';
import { AppError } from '../../platform/errors.js';
import type { CustomerRecordsService } from '../../services/customer-records.service.js';
import { actorOf } from '../auth.js';
import type { App } from '../types.js';

const params = z.strictObject({ id: idSchema });
const noteSchema = z.object({ id: z.string(), customerId: z.string(), authorId: z.string(), body: z.string(), createdAt: z.number() });
const countries = new Set<string>(getCountries());
const summarySchema = z.object({
  rows: z.number(),
  matched: z.number(),
  updated: z.number(),
  created: z.number(),
  unmatched: z.number(),
  ambiguous: z.number(),
  invalid: z.number(),
  fields: z.array(z.string()),
  problems: z.array(z.object({ row: z.number(), reason: z.string() })),
  dryRun: z.boolean(),
});

/** Customer notes, and CRM fields imported from a CSV (`Content-Type: text/csv`). */
export const registerCustomerRecordsRoutes = async (app: App, deps: { records: CustomerRecordsService }): Promise<void> => {
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    // Only this route reads CSV bodies; the rest of the API keeps JSON.
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 }, (_request, body, done) => done(null, body));

    scope.post('/api/v1/customers/import', {
      config: { auth: 'customers:import' },
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags: ['customers'],
        summary: 'Import CRM fields from a CSV (text/csv): rows find customers by customer_id, email, phone, <platform>_handle or <platform>_id; other columns become fields',
        querystring: z.strictObject({
          region: z.string().length(2).transform((r) => r.toUpperCase()).refine((r) => countries.has(r), 'an ISO 3166 alpha-2 region such as GB').optional(),
          createMissing: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
          dryRun: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        }),
        response: { 200: summarySchema },
      },
    }, async (request) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError('validation_failed', 'send the CSV with Content-Type: text/csv', 'content-type');
      const q = request.query;
      return deps.records.importCsv(request.body, { ...(q.region ? { region: q.region as CountryCode } : {}), createMissing: q.createMissing ?? false, dryRun: q.dryRun ?? false }, actorOf(request));
    });

    scope.get('/api/v1/customers/:id/notes', {
      config: { auth: 'customers:read' },
      schema: { tags: ['customers'], summary: "Notes on a customer, newest first", params, response: { 200: z.object({ items: z.array(noteSchema) }) } },
    }, async (request) => ({ items: await deps.records.notes(request.params.id) }));

    scope.post('/api/v1/customers/:id/notes', {
      config: { auth: 'customers:write' },
      schema: { tags: ['customers'], summary: 'Add a note on a customer', params, body: z.strictObject({ body: z.string().trim().min(1).max(5000) }), response: { 201: noteSchema } },
    }, async (request, reply) => reply.code(201).send(await deps.records.addNote(request.params.id, request.body.body, actorOf(request))));
  });
};
