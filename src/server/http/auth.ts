import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.js';
import { can, type Actor, type Permission } from '../../shared/permissions.js';
import { constantTimeEqual } from '../platform/crypto.js';
import type { AuthService } from '../services/auth.service.js';
import { sendProblem } from './errors.js';

export const sessionCookie = 'parley_session';

/** Who may call a route: a permission from the shared table, or 'public'. Every route must declare one. */
export type RouteAuth = Permission | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface DeclaredRoute {
  method: string;
  url: string;
  auth: RouteAuth;
}

const declared = new WeakMap<object, DeclaredRoute[]>();

/** Every route with its auth declaration, for the role × route test. */
export const declaredRoutes = (app: App): readonly DeclaredRoute[] => declared.get(app) ?? [];

/** Refuses to register any route under /api, /webhooks or /p without an auth declaration: the app will not boot. */
export const requireAuthDeclarations = (app: App): void => {
  const list: DeclaredRoute[] = [];
  declared.set(app, list);
  app.addHook('onRoute', (route) => {
    const guarded = /^\/(api|webhooks|p)(\/|$)/.test(route.url);
    const auth = (route.config as { auth?: RouteAuth } | undefined)?.auth;
    if (guarded && !auth) throw new Error(`route ${String(route.method)} ${route.url} declares no auth: add config.auth`);
    if (auth) for (const method of [route.method].flat()) if (method !== 'HEAD') list.push({ method: String(method), url: route.url, auth });
  });
};

export const actorOf = (request: FastifyRequest): Actor => {
  if (!request.actor) throw new Error('route declared public but reads an actor');
  return request.actor;
};

/** Authenticates (bearer token or session cookie), checks the route's permission, and enforces CSRF on cookie writes. */
export const registerAuthorization = (app: App, auth: AuthService): void => {
  app.decorateRequest('actor', null);
  // onRequest: a caller who may not call a route learns nothing about its input rules.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const required = request.routeOptions.config?.auth;
    if (!required) return;
    const header = request.headers.authorization;
    let who = null;
    if (header?.startsWith('Bearer ')) {
      who = await auth.authenticateToken(header.slice(7).trim());
    } else {
      const token = request.cookies[sessionCookie];
      if (token) who = await auth.authenticateSession(token);
    }
    if (who) request.actor = { userId: who.userId, role: who.role, requestId: request.id };
    if (required === 'public') return;
    if (!who) return sendProblem(reply, { status: 401, code: 'unauthenticated', detail: 'Sign in, or send an API token as "Authorization: Bearer …".', instance: request.url });
    if (!can(who.role, required)) return sendProblem(reply, { status: 403, code: 'forbidden', detail: `Your role (${who.role}) may not do this (${required}).`, instance: request.url });
    if (who.via === 'session' && !safeMethods.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !who.csrfToken || !constantTimeEqual(sent, who.csrfToken)) {
        return sendProblem(reply, { status: 403, code: 'csrf_failed', detail: 'Missing or wrong x-csrf-token header for a cookie-authenticated write.', instance: request.url });
      }
    }
  });
};
