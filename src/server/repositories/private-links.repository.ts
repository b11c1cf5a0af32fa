import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';

/** Table of migration 0005-trust (the shared DB type predates it). */
export interface PrivateLinksTable {
  id: string;
  conversation_id: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  email: string | null;
  code_hash: string | null;
  code_expires_at: number | null;
  code_attempts: number;
  used_at: number | null;
  session_hash: string | null;
  session_expires_at: number | null;
  identity_id: string | null;
}

export interface PrivateLink {
  id: string;
  conversationId: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  email: string | null;
  codeHash: string | null;
  codeExpiresAt: number | null;
  codeAttempts: number;
  usedAt: number | null;
  sessionExpiresAt: number | null;
  identityId: string | null;
}

const ms = (v: number | string | null): number | null => (v === null ? null : Number(v));

const view = (db: Executor) => db as unknown as Kysely<DB & { private_links: PrivateLinksTable }>;

const toLink = (r: PrivateLinksTable): PrivateLink => ({
  id: r.id,
  conversationId: r.conversation_id,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  email: r.email,
  codeHash: r.code_hash,
  codeExpiresAt: ms(r.code_expires_at),
  codeAttempts: Number(r.code_attempts),
  usedAt: ms(r.used_at),
  sessionExpiresAt: ms(r.session_expires_at),
  identityId: r.identity_id,
});

export const createPrivateLinksRepository = (executor: Executor) => {
  const db = view(executor);
  return {
    async create(link: { id: string; conversationId: string; createdBy: string | null; createdAt: number; expiresAt: number }): Promise<void> {
      await db.insertInto('private_links').values({ id: link.id, conversation_id: link.conversationId, created_by: link.createdBy, created_at: link.createdAt, expires_at: link.expiresAt, code_attempts: 0 }).execute();
    },

    async get(id: string): Promise<PrivateLink | null> {
      const r = await db.selectFrom('private_links').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toLink(r) : null;
    },

    async bySession(sessionHash: string): Promise<PrivateLink | null> {
      const r = await db.selectFrom('private_links').selectAll().where('session_hash', '=', sessionHash).executeTakeFirst();
      return r ? toLink(r) : null;
    },

    /** A fresh code replaces any earlier one and resets the attempt count. */
    async setCode(id: string, email: string, codeHash: string, codeExpiresAt: number): Promise<void> {
      await db.updateTable('private_links').set({ email, code_hash: codeHash, code_expires_at: codeExpiresAt, code_attempts: 0 }).where('id', '=', id).execute();
    },

    async countAttempt(id: string): Promise<void> {
      await db.updateTable('private_links').set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) })).where('id', '=', id).execute();
    },

    /** Consumes the link: only the first caller wins, which is what makes it single-use under concurrency. */
    async consume(id: string, sessionHash: string, sessionExpiresAt: number, identityId: string | null, now: number): Promise<boolean> {
      const r = await db.updateTable('private_links').set({ used_at: now, session_hash: sessionHash, session_expires_at: sessionExpiresAt, identity_id: identityId, code_hash: null }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async verifiedEmailFor(conversationId: string): Promise<string | null> {
      const r = await db.selectFrom('private_links').select('email').where('conversation_id', '=', conversationId).where('used_at', 'is not', null).orderBy('used_at', 'desc').executeTakeFirst();
      return r?.email ?? null;
    },

    /**
     * Attaches a verified email to the customer as an identity (platform 'email'): a proven address is strong
     * evidence. Returns the customer already holding that address when it is someone else, so the caller can report it.
     */
    async attachEmailIdentity(identityId: string, customerId: string, email: string, now: number): Promise<{ identityId: string; otherCustomerId: string | null }> {
      const existing = await db.selectFrom('identities').select(['id', 'customer_id']).where('platform', '=', 'email').where('platform_id', '=', email).executeTakeFirst();
      if (existing) return { identityId: existing.id, otherCustomerId: existing.customer_id === customerId ? null : existing.customer_id };
      await db.insertInto('identities').values({ id: identityId, platform: 'email', platform_id: email, handle: null, display_name: null, followers: 0, verified: 1, email, phone: null, customer_id: customerId, created_at: now, updated_at: now }).execute();
      return { identityId, otherCustomerId: null };
    },
  };
};

export type PrivateLinksRepository = ReturnType<typeof createPrivateLinksRepository>;
