import { z } from 'zod';
import type { App } from '../types.js';

/** Liveness, readiness and Prometheus metrics (for the scraper on the private network). */
export const registerSystemRoutes = (app: App, deps: { ready: () => Promise<boolean>; metrics: () => Promise<string>; contentType: string }) => {
  app.get('/healthz', { config: { auth: 'public' }, schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const ok = await deps.ready().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable' });
  });
  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.type(deps.contentType).send(await deps.metrics()));
};
