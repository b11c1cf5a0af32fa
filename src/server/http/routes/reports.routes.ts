import { z } from 'zod';
import { equityReportSchema, slaReportSchema } from '../../../shared/api.js';
import type { EquityService } from '../../services/equity.service.js';
import type { SlaService } from '../../services/sla.service.js';
import type { App } from '../types.js';

const DAY = 24 * 60 * 60 * 1000;
const range = {
  from: z.iso.datetime({ offset: true }).optional().describe('start (ISO 8601); default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('end (ISO 8601, exclusive); default now'),
};
const window = (q: { from?: string | undefined; to?: string | undefined }, now: number) => {
  const to = q.to ? Date.parse(q.to) : now;
  return { from: q.from ? Date.parse(q.from) : to - 30 * DAY, to };
};

/** Service reports: SLA attainment per policy, and equity across channels, tiers and follower buckets. */
export const registerReportRoutes = (app: App, deps: { sla: SlaService; equity: EquityService; now: () => number }) => {
  app.get('/api/v1/reports/sla', {
    config: { auth: 'reports:read' },
    schema: { tags: ['reports'], summary: 'SLA attainment % per policy and metric for clocks started in the window', querystring: z.strictObject(range), response: { 200: slaReportSchema } },
  }, async (request) => {
    const r = await deps.sla.attainment(window(request.query, deps.now()));
    return { ...r, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
  });

  app.get('/api/v1/reports/equity', {
    config: { auth: 'reports:read' },
    schema: {
      tags: ['reports'],
      summary: 'Time to first response and resolution across public/private channels, customer tiers and follower buckets, with warnings where a tier is served measurably better (goodwill: not yet tracked)',
      querystring: z.strictObject({ ...range, minSamples: z.coerce.number().int().min(5).max(100_000).default(20), ratio: z.coerce.number().min(1.05).max(100).default(1.5) }),
      response: { 200: equityReportSchema },
    },
  }, async (request) => {
    const { minSamples, ratio } = request.query;
    const r = await deps.equity.report({ ...window(request.query, deps.now()), minSamples, ratio });
    return { ...r, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
  });
};
