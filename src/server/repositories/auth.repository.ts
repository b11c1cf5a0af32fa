import { compiledOnce, type Executor } from './executor.js';

const findTokenQuery = compiledOnce((db: Executor, tokenHash: string) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.user_id', 'api_tokens.expires_at', 'users.role', 'users.disabled_at'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null),
);

/** Sessions, API tokens and login throttling: everything stored by hash, never in the clear. */
export const createAuthRepository = (db: Executor) => ({
  async createSession(s: { idHash: string; userId: string; csrfToken: string; now: number; expiresAt: number }): Promise<void> {
    await db.insertInto('sessions').values({ id: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.now, expires_at: s.expiresAt }).execute();
  },

  async findSession(idHash: string, now: number): Promise<{ userId: string; csrfToken: string } | null> {
    const r = await db.selectFrom('sessions').select(['user_id', 'csrf_token']).where('id', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
    return r ? { userId: r.user_id, csrfToken: r.csrf_token } : null;
  },

  async deleteSession(idHash: string): Promise<void> {
    await db.deleteFrom('sessions').where('id', '=', idHash).execute();
  },

  async deleteSessionsOf(userId: string): Promise<void> {
    await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  },

  async createToken(t: { id: string; userId: string; name: string; tokenHash: string; now: number; expiresAt: number | null }): Promise<void> {
    await db.insertInto('api_tokens').values({ id: t.id, user_id: t.userId, name: t.name, token_hash: t.tokenHash, created_at: t.now, expires_at: t.expiresAt }).execute();
  },

  /** The token with its user's role, in one read (every API call asks); null when revoked, expired or the user is disabled or gone. */
  async findToken(tokenHash: string, now: number): Promise<{ id: string; userId: string; role: string } | null> {
    const [r] = await findTokenQuery(db, tokenHash);
    if (!r || (r.expires_at !== null && Number(r.expires_at) <= now) || r.disabled_at !== null) return null;
    return { id: r.id, userId: r.user_id, role: r.role };
  },

  async touchToken(id: string, now: number): Promise<void> {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  },

  async listTokens(userId: string): Promise<{ id: string; name: string; createdAt: number; lastUsedAt: number | null; revoked: boolean }[]> {
    const rows = await db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at']).where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at), lastUsedAt: r.last_used_at, revoked: r.revoked_at !== null }));
  },

  async revokeToken(id: string, userId: string, now: number): Promise<boolean> {
    const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Fixed-window failure counter per key (email and client address). */
  async loginFailures(key: string, windowStart: number): Promise<number> {
    const r = await db.selectFrom('login_attempts').select(['window_start', 'failures']).where('key', '=', key).executeTakeFirst();
    return r && r.window_start >= windowStart ? r.failures : 0;
  },

  async recordLoginFailure(key: string, now: number, windowMs: number): Promise<void> {
    const r = await db.selectFrom('login_attempts').select(['window_start', 'failures']).where('key', '=', key).executeTakeFirst();
    if (!r) {
      await db.insertInto('login_attempts').values({ key, window_start: now, failures: 1 }).onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ failures: eb('login_attempts.failures', '+', 1) }))).execute();
    } else if (r.window_start < now - windowMs) {
      await db.updateTable('login_attempts').set({ window_start: now, failures: 1 }).where('key', '=', key).execute();
    } else {
      await db.updateTable('login_attempts').set((eb) => ({ failures: eb('failures', '+', 1) })).where('key', '=', key).execute();
    }
  },

  async clearLoginFailures(key: string): Promise<void> {
    await db.deleteFrom('login_attempts').where('key', '=', key).execute();
  },
});

export type AuthRepository = ReturnType<typeof createAuthRepository>;
