import type { Actor, Role } from '../../shared/permissions.js';
import { roles } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { hashPassword, hashToken, randomToken, verifyPassword } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';

const sessionTtlMs = 12 * 60 * 60 * 1000;
const failureWindowMs = 15 * 60 * 1000;
const maxFailuresPerAccount = 5;
const maxFailuresPerAddress = 20;

export interface SessionInfo {
  sessionToken: string;
  csrfToken: string;
  expiresAt: number;
  user: { id: string; email: string; name: string; role: Role };
}

export interface Authenticated {
  userId: string;
  role: Role;
  /** Present for cookie sessions: writes must echo it in `x-csrf-token`. */
  csrfToken: string | null;
  via: 'session' | 'token';
}

/** Sign-in, sessions, API tokens and login throttling; secrets are stored only as hashes. */
export const createAuthService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;

  // last_used_at is informational: write it at most once a minute per token, not on every request.
  const touched = new Map<string, number>();

  const toRole = (role: string): Role => ((roles as readonly string[]).includes(role) ? (role as Role) : 'agent');

  return {
    async login(email: string, password: string, address: string): Promise<SessionInfo> {
      const now = clock.now();
      const accountKey = `email:${email.toLowerCase()}`;
      const addressKey = `ip:${address}`;
      const [byAccount, byAddress] = await Promise.all([repos.auth.loginFailures(accountKey, now - failureWindowMs), repos.auth.loginFailures(addressKey, now - failureWindowMs)]);
      if (byAccount >= maxFailuresPerAccount || byAddress >= maxFailuresPerAddress) {
        throw new AppError('rate_limited', 'Too many failed sign-in attempts; wait 15 minutes and try again.');
      }
      const user = await repos.users.findByEmailWithHash(email.toLowerCase());
      const ok = user !== null && user.passwordHash !== null && !user.disabled && (await verifyPassword(password, user.passwordHash));
      if (!ok || !user) {
        await uow(async (tx) => {
          await tx.auth.recordLoginFailure(accountKey, now, failureWindowMs);
          await tx.auth.recordLoginFailure(addressKey, now, failureWindowMs);
          await tx.audit.append({ id: newId(), at: now, actorId: user?.id ?? null, actorRole: null, action: 'auth.login_failed', targetType: 'user', targetId: user?.id ?? null, data: { email: email.toLowerCase(), address } });
        });
        throw new AppError('invalid_credentials', 'Email or password is wrong.');
      }
      const sessionToken = randomToken();
      const csrfToken = randomToken(24);
      const expiresAt = now + sessionTtlMs;
      await uow(async (tx) => {
        await tx.auth.createSession({ idHash: hashToken(sessionToken), userId: user.id, csrfToken, now, expiresAt });
        await tx.auth.clearLoginFailures(accountKey);
        await tx.users.update(user.id, { status: user.status === 'offline' ? 'online' : user.status }, now);
        await tx.audit.append({ id: newId(), at: now, actorId: user.id, actorRole: user.role, action: 'auth.login', targetType: 'user', targetId: user.id, data: { address } });
      });
      return { sessionToken, csrfToken, expiresAt, user: { id: user.id, email: user.email, name: user.name, role: toRole(user.role) } };
    },

    async logout(sessionToken: string, actor: Actor): Promise<void> {
      await uow(async (tx) => {
        await tx.auth.deleteSession(hashToken(sessionToken));
        await tx.audit.append({ id: newId(), at: clock.now(), actorId: actor.userId, actorRole: actor.role, action: 'auth.logout', targetType: 'user', targetId: actor.userId, data: {} });
      });
    },

    async authenticateSession(sessionToken: string): Promise<Authenticated | null> {
      const session = await repos.auth.findSession(hashToken(sessionToken), clock.now());
      if (!session) return null;
      const user = await repos.users.get(session.userId);
      if (!user || user.disabled) return null;
      return { userId: user.id, role: toRole(user.role), csrfToken: session.csrfToken, via: 'session' };
    },

    async authenticateToken(token: string): Promise<Authenticated | null> {
      const now = clock.now();
      const found = await repos.auth.findToken(hashToken(token), now);
      if (!found) return null;
      if ((touched.get(found.id) ?? 0) < now - 60_000) {
        touched.set(found.id, now);
        await repos.auth.touchToken(found.id, now);
      }
      return { userId: found.userId, role: toRole(found.role), csrfToken: null, via: 'token' };
    },

    /** The token is shown once; only its hash is kept. */
    async createToken(userId: string, name: string, actor: Actor, expiresAt: number | null = null): Promise<{ id: string; token: string }> {
      const token = `plt_${randomToken()}`;
      const id = newId();
      await uow(async (tx) => {
        if (!(await tx.users.get(userId))) throw new AppError('user_not_found', `no user ${userId}`, 'userId');
        await tx.auth.createToken({ id, userId, name, tokenHash: hashToken(token), now: clock.now(), expiresAt });
        await tx.audit.append({ id: newId(), at: clock.now(), actorId: actor.userId, actorRole: actor.role, action: 'token.create', targetType: 'user', targetId: userId, data: { tokenId: id, name } });
      });
      return { id, token };
    },

    async changePassword(actor: Actor, current: string, next: string): Promise<void> {
      const stored = await repos.users.passwordHash(actor.userId);
      if (!stored || !(await verifyPassword(current, stored))) throw new AppError('invalid_credentials', 'The current password is wrong.', 'currentPassword');
      const hash = await hashPassword(next);
      await uow(async (tx) => {
        await tx.users.update(actor.userId, { passwordHash: hash }, clock.now());
        await tx.auth.deleteSessionsOf(actor.userId);
        await tx.audit.append({ id: newId(), at: clock.now(), actorId: actor.userId, actorRole: actor.role, action: 'auth.password_changed', targetType: 'user', targetId: actor.userId, data: {} });
      });
    },
  };
};

export type AuthService = ReturnType<typeof createAuthService>;
