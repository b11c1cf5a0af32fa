import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fastifyStatic from '@fastify/static';
import { sendProblem } from './errors.js';
import type { App } from './types.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Paths the server owns: an unknown URL under these is a 404 problem, never the SPA's index.html. */
const serverPrefixes = /^\/(api|webhooks|p|docs|metrics|healthz|readyz)(\/|$|\?)/;

/** Runs `vite build` in a child process (keeps Vite out of the server's memory) into `outDir`. */
export const buildSpa = async (outDir: string): Promise<void> => {
  const viteBin = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [viteBin, 'build', '--config', path.join(projectRoot, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: projectRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
};

/**
 * Serves the built workspace SPA at / (hashed assets cached for a year, index.html never cached) and answers client
 * routes with index.html. Builds it first when `distDir/index.html` is missing; if that fails, / explains how to build.
 */
export const registerSpa = async (app: App, distDir: string): Promise<void> => {
  const indexFile = path.join(distDir, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.info({ distDir }, 'the web UI is not built yet: running vite build');
    try {
      await buildSpa(distDir);
    } catch (error) {
      app.log.error({ err: error }, 'could not build the web UI');
    }
  }
  if (!existsSync(indexFile)) {
    app.get('/*', { schema: { hide: true } }, async (request, reply) =>
      serverPrefixes.test(request.url)
        ? sendProblem(reply, { status: 404, code: 'not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}`, instance: request.url })
        : sendProblem(reply, { status: 503, code: 'unavailable', detail: 'The web UI is not built: run `npm run build:web` (needs the dev dependencies), then restart.', instance: request.url }),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root: path.join(distDir, 'assets'),
    prefix: '/assets/',
    // File names carry a content hash, so a cached copy is never stale.
    immutable: true,
    maxAge: '365d',
    index: false,
  });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    if (serverPrefixes.test(request.url)) {
      return sendProblem(reply, { status: 404, code: 'not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}`, instance: request.url });
    }
    // Every client route gets the same shell; the router in the page picks the screen.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', distDir, { cacheControl: false });
  });
};
