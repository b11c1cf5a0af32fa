import { z } from 'zod';
import { roles } from '../../../shared/permissions.js';
import type { AuthService } from '../../services/auth.service.js';
import type { UsersService } from '../../services/users.service.js';
import { actorOf, sessionCookie } from '../auth.js';
import { toUserDto } from '../mappers.js';
import type { App } from '../types.js';
import { userSchema } from '../../../shared/api.js';

export const registerAuthRoutes = (app: App, deps: { auth: AuthService; users: UsersService; secureCookies: boolean }) => {
  const sessionSchema = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(roles) }), csrfToken: z.string(), expiresAt: z.string() });

  app.post('/api/v1/auth/login', {
    config: { auth: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: { tags: ['auth'], summary: 'Sign in with email and password; sets an HttpOnly session cookie', body: z.strictObject({ email: z.email().max(320), password: z.string().min(1).max(1024) }), response: { 200: sessionSchema } },
  }, async (request, reply) => {
    const session = await deps.auth.login(request.body.email, request.body.password, request.ip);
    reply.setCookie(sessionCookie, session.sessionToken, { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.secureCookies, expires: new Date(session.expiresAt) });
    return { user: session.user, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
  });

  app.post('/api/v1/auth/logout', { config: { auth: 'self' }, schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } } }, async (request, reply) => {
    const token = request.cookies[sessionCookie];
    if (token) await deps.auth.logout(token, actorOf(request));
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/api/v1/auth/session', { config: { auth: 'self' }, schema: { tags: ['auth'], summary: 'The signed-in user and the CSRF token for writes', response: { 200: z.object({ user: userSchema, csrfToken: z.string().nullable() }) } } }, async (request) => {
    const actor = actorOf(request);
    const token = request.cookies[sessionCookie];
    const session = token ? await deps.auth.authenticateSession(token) : null;
    return { user: toUserDto(await deps.users.get(actor.userId)), csrfToken: session?.csrfToken ?? null };
  });

  app.post('/api/v1/auth/password', {
    config: { auth: 'self' },
    schema: { tags: ['auth'], summary: 'Change your password (signs out every session)', body: z.strictObject({ currentPassword: z.string().min(1), newPassword: z.string().min(10, 'at least 10 characters').max(1024) }), response: { 204: z.null() } },
  }, async (request, reply) => {
    await deps.auth.changePassword(actorOf(request), request.body.currentPassword, request.body.newPassword);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.code(204).send(null);
  });

  app.post('/api/v1/auth/tokens', {
    config: { auth: 'self' },
    schema: { tags: ['auth'], summary: 'Create an API token for yourself (shown once)', body: z.strictObject({ name: z.string().min(1).max(100) }), response: { 201: z.object({ id: z.string(), token: z.string() }) } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.code(201).send(await deps.auth.createToken(actor.userId, request.body.name, actor));
  });
};
