import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/test-app.js';

describe('sessions, CSRF and sign-in throttling', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp('sqlite');
    await createUser(app, 'agent', { email: 'ana@acme.test', password: 'correct horse battery' });
    await app.http.ready();
  });
  afterAll(async () => app.dispose());

  const login = (password: string, ip = '10.0.0.1') => app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ana@acme.test', password }, remoteAddress: ip });

  it('signs in with an HttpOnly SameSite=Lax cookie and requires the CSRF token for writes', async () => {
    const res = await login('correct horse battery');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'parley_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const { csrfToken } = res.json() as { csrfToken: string };
    const session = await app.http.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { parley_session: cookie.value } });
    expect(session.statusCode).toBe(200);
    expect(session.json().user.email).toBe('ana@acme.test');

    const noCsrf = await app.http.inject({ method: 'PUT', url: '/api/v1/me/status', cookies: { parley_session: cookie.value }, payload: { status: 'away' } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('csrf_failed');
    const withCsrf = await app.http.inject({ method: 'PUT', url: '/api/v1/me/status', cookies: { parley_session: cookie.value }, headers: { 'x-csrf-token': csrfToken }, payload: { status: 'away' } });
    expect(withCsrf.statusCode).toBe(200);
    expect(withCsrf.json().status).toBe('away');

    const logout = await app.http.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { parley_session: cookie.value }, headers: { 'x-csrf-token': csrfToken } });
    expect(logout.statusCode).toBe(204);
    const after = await app.http.inject({ method: 'GET', url: '/api/v1/auth/session', cookies: { parley_session: cookie.value } });
    expect(after.statusCode).toBe(401);
  });

  it('throttles repeated failures for an account, even with the right password afterwards', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login('wrong password', `10.1.0.${i}`)).statusCode).toBe(401);
    const blocked = await login('correct horse battery', '10.2.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('rate_limited');
  });

  it('records sign-ins and failures in the hash-chained audit log', async () => {
    const entries = await app.repos.audit.page(0, 100);
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['auth.login', 'auth.login_failed', 'auth.logout']));
    for (let i = 1; i < entries.length; i += 1) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
  });
});
