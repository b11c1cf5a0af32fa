import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/server/http/auth.js';
import { can, roles, type Role } from '../../src/shared/permissions.js';
import { createTestApp, createUser, tokenFor, type TestApp } from '../support/test-app.js';

/** The role × route matrix: every route, every role, allowed exactly when the permission table says so. */
describe('role × route authorisation', () => {
  let app: TestApp;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    app = await createTestApp('sqlite');
    for (const role of roles) tokens.set(role, await tokenFor(app, (await createUser(app, role)).id));
    await app.http.ready();
  });
  afterAll(async () => app.dispose());

  it('declares auth on every API route', () => {
    const api = declaredRoutes(app.http).filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(15);
    for (const r of api) expect(r.auth, `${r.method} ${r.url}`).toBeTruthy();
  });

  it('answers 401 without credentials and 403 for roles without the permission, and lets permitted roles through', async () => {
    // The event stream never ends, so inject cannot wait for it: it has its own test over real HTTP.
    const routes = declaredRoutes(app.http).filter((r) => r.auth !== 'public' && r.url.startsWith('/api/') && r.url !== '/api/v1/events');
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, 'no-such-$1');
      const anonymous = await app.http.inject({ method: route.method as 'GET', url });
      expect(anonymous.statusCode, `${route.method} ${route.url} anonymous`).toBe(401);
      expect(anonymous.headers['content-type']).toContain('application/problem+json');
      for (const role of roles) {
        const res = await app.http.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${tokens.get(role)}` }, ...(route.method === 'GET' ? {} : { payload: {} }) });
        const allowed = can(role, route.auth as Exclude<typeof route.auth, 'public'>);
        if (allowed) expect([401, 403], `${role} ${route.method} ${route.url} → ${res.statusCode} ${res.body}`).not.toContain(res.statusCode);
        else expect(res.statusCode, `${role} ${route.method} ${route.url}`).toBe(403);
        expect(res.statusCode, `${role} ${route.method} ${route.url} must not be a server error: ${res.body}`).toBeLessThan(500);
      }
    }
  });

  it('rejects a revoked or unknown token', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/api/v1/conversations', headers: { authorization: 'Bearer plt_nope' } });
    expect(res.statusCode).toBe(401);
  });

  it('refuses the token of a disabled user, and follows a role change at once', async () => {
    const user = await createUser(app, 'agent');
    const token = await tokenFor(app, user.id);
    const get = () => app.http.inject({ method: 'GET', url: '/api/v1/channels', headers: { authorization: `Bearer ${token}` } });
    expect((await get()).statusCode).toBe(403);
    await app.repos.users.update(user.id, { role: 'admin' }, Date.now());
    expect((await get()).statusCode).toBe(200);
    await app.repos.users.update(user.id, { disabledAt: Date.now() }, Date.now());
    expect((await get()).statusCode).toBe(401);
  });
});
