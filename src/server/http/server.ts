import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../platform/logger.js';
import { registerAuthorization, requireAuthDeclarations } from './auth.js';
import { handleError, sendProblem } from './errors.js';
import type { AuthService } from '../services/auth.service.js';
import type { App } from './types.js';

export interface ServerOptions {
  logger: Logger;
  auth: AuthService;
  publicUrl: string;
  onResponse?(method: string, route: string, status: number, seconds: number): void;
}

/** Fastify with zod validation, OpenAPI from the route schemas, problem+json errors, security headers and per-route auth. */
export const createHttpServer = async (options: ServerOptions): Promise<App> => {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Request logs are off: metrics carry latency, and a log line per request at 1,000/s is noise.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // Event streams stay open; shutting down must not wait for them.
    forceCloseConnections: true,
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only; webhook routes add their own raw-body parser.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, { status: 404, code: 'not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}`, instance: request.url }));
  requireAuthDeclarations(app);

  // Security headers (CSP, HSTS, nosniff, frame and referrer policy) on every response. The middleware is built
  // once: the Fastify plugin rebuilt it, CSP directives parsed again, for every request.
  // img-src blob: lets the composer preview an agent's own local image (an object URL) before it is uploaded.
  // No inline style for the SPA (React sets element styles through the CSSOM, which CSP allows); only the bundled
  // Swagger UI at /docs, which writes a style attribute into its markup, keeps 'unsafe-inline' for styles.
  const directives = { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], connectSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"], baseUri: ["'self'"] };
  const securityHeaders = helmet({ contentSecurityPolicy: { directives } });
  const docsHeaders = helmet({ contentSecurityPolicy: { directives: { ...directives, styleSrc: ["'self'", "'unsafe-inline'"] } } });
  app.addHook('onRequest', (request, reply, done) => {
    const headers = request.url === '/docs' || request.url.startsWith('/docs/') ? docsHeaders : securityHeaders;
    headers(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Parley API', version: '1', description: 'Social customer service: conversations, messages, customers, users, teams and channels.' },
      servers: [{ url: options.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'parley_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/api/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  registerAuthorization(app, options.auth);
  app.addHook('onResponse', async (request, reply) => {
    options.onResponse?.(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  return app;
};
