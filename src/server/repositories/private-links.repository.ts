import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { fromJson, type Executor } from './executor.js';

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
  code_sends: number;
  used_at: number | null;
  session_hash: string | null;
  session_expires_at: number | null;
  identity_id: string | null;
  dm_nonce_hash: string | null;
  dm_requested_at: number | null;
  dm_platform: string | null;
  dm_platform_id: string | null;
  dm_message_id: string | null;
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
  /** Wrong and right guesses on this link, over every code it was sent. */
  codeAttempts: number;
  /** Codes sent for this link. */
  codeSends: number;
  usedAt: number | null;
  sessionExpiresAt: number | null;
  identityId: string | null;
  /** A pending proof by private message: the browser's nonce (hashed) and the platform identity that must send it. */
  dm: { nonceHash: string; requestedAt: number; platform: string; platformId: string } | null;
  /** The private message that proved the customer, once one did. */
  dmMessageId: string | null;
}

/** The public post a conversation started from: whose platform identity may prove it by private message. */
export interface Poster {
  platform: string;
  platformId: string;
  handle: string | null;
  channelId: string;
}

const emailShape = /^[^\s@<>()]{1,64}@[^\s@<>()]{1,190}\.[a-z]{2,24}$/;

const parseFields = (raw: string | null | undefined): Record<string, unknown> => {
  const value = fromJson<unknown>(raw, {});
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
};

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
  codeSends: Number(r.code_sends),
  usedAt: ms(r.used_at),
  sessionExpiresAt: ms(r.session_expires_at),
  identityId: r.identity_id,
  dm: r.dm_nonce_hash && r.dm_platform && r.dm_platform_id ? { nonceHash: r.dm_nonce_hash, requestedAt: Number(r.dm_requested_at), platform: r.dm_platform, platformId: r.dm_platform_id } : null,
  dmMessageId: r.dm_message_id,
});

/** Inbound private messages an identity sent on a platform since `since`, newest first (index messages_author, which holds only these). */
export const privateMessagesFromQuery = (db: Executor, platform: string, platformId: string, since: number, limit: number) =>
  db.selectFrom('messages').innerJoin('channels', 'channels.id', 'messages.channel_id')
    .select(['messages.id', 'messages.channel_id', 'messages.conversation_id', 'messages.customer_id', 'messages.text'])
    .where('messages.author_platform_id', '=', platformId).where('messages.created_at', '>=', since)
    .where('channels.platform', '=', platform).where('messages.direction', '=', 'in').where('messages.visibility', '=', 'private')
    .orderBy('messages.created_at', 'desc').limit(limit);

export const createPrivateLinksRepository = (executor: Executor) => {
  const db = view(executor);
  return {
    async create(link: { id: string; conversationId: string; createdBy: string | null; createdAt: number; expiresAt: number }): Promise<void> {
      await db.insertInto('private_links').values({ id: link.id, conversation_id: link.conversationId, created_by: link.createdBy, created_at: link.createdAt, expires_at: link.expiresAt, code_attempts: 0, code_sends: 0 }).execute();
    },

    async get(id: string): Promise<PrivateLink | null> {
      const r = await db.selectFrom('private_links').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toLink(r) : null;
    },

    async bySession(sessionHash: string): Promise<PrivateLink | null> {
      const r = await db.selectFrom('private_links').selectAll().where('session_hash', '=', sessionHash).executeTakeFirst();
      return r ? toLink(r) : null;
    },

    /** A fresh code replaces any earlier one; the link's attempt count stays, so new codes buy no new guesses. */
    async setCode(id: string, email: string, codeHash: string, codeExpiresAt: number): Promise<void> {
      await db.updateTable('private_links').set({ email, code_hash: codeHash, code_expires_at: codeExpiresAt }).where('id', '=', id).execute();
    },

    /** Takes one of the link's code sends; false once `max` were taken (one conditional update, so safe under concurrency). */
    async reserveSend(id: string, max: number): Promise<boolean> {
      const r = await db.updateTable('private_links').set((eb) => ({ code_sends: eb('code_sends', '+', 1) })).where('id', '=', id).where('code_sends', '<', max).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Takes one of the link's guesses before the code is compared, so parallel guesses cannot exceed `max`. */
    async reserveAttempt(id: string, max: number): Promise<boolean> {
      const r = await db.updateTable('private_links').set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) })).where('id', '=', id).where('code_attempts', '<', max).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Spends the live code (its guesses ran out). */
    async dropCode(id: string): Promise<void> {
      await db.updateTable('private_links').set({ code_hash: null }).where('id', '=', id).execute();
    },

    /**
     * Email addresses we already hold for the conversation's customer, lower-cased, oldest knowledge first: the
     * customer's identities (an email identity, or an address a platform or form gave), their CRM record's email
     * fields, and the address the conversation's email came from. A one-time code may only go to one of these.
     */
    async knownEmailsFor(conversationId: string, limit = 5): Promise<string[]> {
      const conversation = await db.selectFrom('conversations').select('customer_id').where('id', '=', conversationId).executeTakeFirst();
      const found: string[] = [];
      const customerId = conversation?.customer_id ?? null;
      if (customerId) {
        const identities = await db.selectFrom('identities').select(['platform', 'platform_id', 'email']).where('customer_id', '=', customerId).orderBy('created_at').orderBy('id').execute();
        for (const i of identities) {
          if (i.email) found.push(i.email);
          if (i.platform === 'email') found.push(i.platform_id);
        }
        const customer = await db.selectFrom('customers').select('fields').where('id', '=', customerId).executeTakeFirst();
        const fields = parseFields(customer?.fields);
        for (const [key, value] of Object.entries(fields)) if (/e-?mail/i.test(key) && typeof value === 'string') found.push(value);
      }
      const mailed = await db.selectFrom('messages').select('author_email').distinct().where('conversation_id', '=', conversationId).where('direction', '=', 'in').where('author_email', 'is not', null).limit(limit).execute();
      for (const m of mailed) if (m.author_email) found.push(m.author_email);
      const out: string[] = [];
      for (const raw of found) {
        const address = raw.trim().toLowerCase();
        if (emailShape.test(address) && !out.includes(address)) out.push(address);
      }
      return out.slice(0, limit);
    },

    /** Consumes the link: only the first caller wins, which is what makes it single-use under concurrency. */
    async consume(id: string, sessionHash: string, sessionExpiresAt: number, identityId: string | null, now: number): Promise<boolean> {
      const r = await db.updateTable('private_links').set({ used_at: now, session_hash: sessionHash, session_expires_at: sessionExpiresAt, identity_id: identityId, code_hash: null }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async setIdentity(id: string, identityId: string): Promise<void> {
      await db.updateTable('private_links').set({ identity_id: identityId }).where('id', '=', id).execute();
    },

    async requestDm(id: string, nonceHash: string, poster: Poster, now: number): Promise<void> {
      await db.updateTable('private_links').set({ dm_nonce_hash: nonceHash, dm_requested_at: now, dm_platform: poster.platform, dm_platform_id: poster.platformId }).where('id', '=', id).execute();
    },

    async recordDmProof(id: string, messageId: string): Promise<void> {
      await db.updateTable('private_links').set({ dm_message_id: messageId, dm_nonce_hash: null }).where('id', '=', id).execute();
    },

    /** The author of the conversation's first inbound public message, with the platform of its channel. */
    async posterOf(conversationId: string): Promise<Poster | null> {
      const r = await db.selectFrom('messages').innerJoin('channels', 'channels.id', 'messages.channel_id')
        .select(['channels.platform', 'messages.author_platform_id', 'messages.author_handle', 'messages.channel_id'])
        .where('messages.conversation_id', '=', conversationId).where('messages.direction', '=', 'in').where('messages.visibility', '=', 'public')
        .orderBy('messages.created_at').orderBy('messages.id').limit(1).executeTakeFirst();
      return r ? { platform: r.platform, platformId: r.author_platform_id, handle: r.author_handle, channelId: r.channel_id } : null;
    },

    /** Private messages the identity sent on that platform since `since` (newest first, a bounded few). */
    async privateMessagesFrom(platform: string, platformId: string, since: number, limit = 50): Promise<{ id: string; channelId: string; conversationId: string | null; customerId: string | null; text: string }[]> {
      const rows = await privateMessagesFromQuery(executor, platform, platformId, since, limit).execute();
      return rows.map((r) => ({ id: r.id, channelId: r.channel_id, conversationId: r.conversation_id, customerId: r.customer_id, text: r.text }));
    },

    /** How the customer of a conversation proved themselves on the newest spent link: an email, a private message, or both. */
    async verifiedFor(conversationId: string): Promise<{ email: string | null; dmMessageId: string | null } | null> {
      const r = await db.selectFrom('private_links').select(['email', 'dm_message_id']).where('conversation_id', '=', conversationId).where('used_at', 'is not', null).orderBy('used_at', 'desc').executeTakeFirst();
      return r ? { email: r.dm_message_id ? null : r.email, dmMessageId: r.dm_message_id } : null;
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
      // Mail identities keep the sender's spelling (Jo.Smith@Mail.test); the proven address is lower case.
      const existing = await db.selectFrom('identities').select(['id', 'customer_id']).where('platform', '=', 'email')
        .where((eb) => eb.or([eb('platform_id', '=', email), eb(sql<string>`lower(platform_id)`, '=', email)]))
        .orderBy((eb) => eb.case().when('customer_id', '=', customerId).then(0).else(1).end()).orderBy('created_at').executeTakeFirst();
      if (existing) return { identityId: existing.id, otherCustomerId: existing.customer_id === customerId ? null : existing.customer_id };
      await db.insertInto('identities').values({ id: identityId, platform: 'email', platform_id: email, handle: null, display_name: null, followers: 0, verified: 1, email, phone: null, customer_id: customerId, created_at: now, updated_at: now }).execute();
      return { identityId, otherCustomerId: null };
    },
  };
};

export type PrivateLinksRepository = ReturnType<typeof createPrivateLinksRepository>;
