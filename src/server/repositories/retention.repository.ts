import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Executor } from './executor.js';
import { fromJson } from './executor.js';

/** Tables of migration 0005-trust for data rights: retention per channel and tombstones of erased customers. */
export interface RetentionPoliciesTable {
  channel_id: string;
  days: number;
  updated_at: number;
}

export interface CustomerTombstonesTable {
  customer_id: string;
  erased_at: number;
  erased_by: string | null;
  messages: number;
  identities: number;
}

interface PrivateLinkEmails {
  conversation_id: string;
  email: string | null;
}

type RetentionDB = DB & { retention_policies: RetentionPoliciesTable; customer_tombstones: CustomerTombstonesTable; private_links: PrivateLinkEmails; chat_messages: { channel_id: string; visitor_id: string; created_at: number }; label_corrections: { message_id: string; text: string } };

export interface RetentionPolicy {
  channelId: string;
  days: number;
  updatedAt: number;
}

export interface Tombstone {
  customerId: string;
  erasedAt: number;
  erasedBy: string | null;
  messages: number;
  identities: number;
}

/** Everything Parley holds about one customer, for a data-subject access request. */
export interface CustomerDataExport {
  customer: Record<string, unknown>;
  identities: Record<string, unknown>[];
  conversations: Record<string, unknown>[];
  messages: Record<string, unknown>[];
  /** Their envelopes a paused channel holds, not yet ingested (migration 0014). */
  held: { channelId: string; receivedAt: string; envelopes: unknown[] }[];
}

type Envelopes = { author?: { platformId?: unknown } }[];

const exportLimit = 50_000;

export const createRetentionRepository = (executor: Executor) => {
  const db = executor as unknown as Kysely<RetentionDB>;

  /**
   * Deliveries a paused channel holds with envelopes of this customer (matched by author platform id on channels of
   * the identity's platform), each with all its envelopes and theirs among them.
   */
  const heldOf = async (customerId: string) => {
    const identities = await db.selectFrom('identities').select(['platform', 'platform_id']).where('customer_id', '=', customerId).execute();
    // By delivery: one can hold envelopes of several of the customer's identities.
    const byId = new Map<string, { row: { id: string; channel_id: string; received_at: number; deletions: string }; envelopes: Envelopes; theirs: Envelopes }>();
    for (const identity of identities) {
      // A cheap superset in SQL (LIKE wildcards stand in for characters LIKE or JSON would escape), exact match below.
      const pattern = `%"platformId":${JSON.stringify(identity.platform_id).replace(/[\\%_]/g, '_')}%`;
      const rows = await db
        .selectFrom('channel_held_events')
        .innerJoin('channels', 'channels.id', 'channel_held_events.channel_id')
        .select(['channel_held_events.id', 'channel_held_events.channel_id', 'channel_held_events.received_at', 'channel_held_events.envelopes', 'channel_held_events.deletions'])
        .where('channels.platform', '=', identity.platform)
        .where('channel_held_events.envelopes', 'like', pattern)
        .execute();
      for (const row of rows) {
        let held = byId.get(row.id);
        if (!held) byId.set(row.id, (held = { row: { id: row.id, channel_id: row.channel_id, received_at: Number(row.received_at), deletions: row.deletions }, envelopes: fromJson<Envelopes>(row.envelopes, []), theirs: [] }));
        for (const e of held.envelopes) if (e.author?.platformId === identity.platform_id) held.theirs.push(e);
      }
    }
    // In the order they arrived.
    return [...byId.values()].filter((h) => h.theirs.length > 0).sort((a, b) => a.row.received_at - b.row.received_at || (a.row.id < b.row.id ? -1 : 1));
  };

  return {
    async setPolicy(channelId: string, days: number | null, now: number): Promise<void> {
      if (days === null) {
        await db.deleteFrom('retention_policies').where('channel_id', '=', channelId).execute();
        return;
      }
      await db.insertInto('retention_policies').values({ channel_id: channelId, days, updated_at: now }).onConflict((oc) => oc.column('channel_id').doUpdateSet({ days, updated_at: now })).execute();
    },

    async policies(): Promise<RetentionPolicy[]> {
      const rows = await db.selectFrom('retention_policies').selectAll().orderBy('channel_id').execute();
      return rows.map((r) => ({ channelId: r.channel_id, days: Number(r.days), updatedAt: Number(r.updated_at) }));
    },

    /**
     * Blanks text, HTML, subject, attachments and raw payloads of a channel's messages created before `cutoff`; the
     * rows stay, with their classifications and times, so counts, response times and sentiment reports keep working.
     */
    async purgeBefore(channelId: string, cutoff: number): Promise<number> {
      const r = await db
        .updateTable('messages')
        .set({ text: '', html: null, subject: null, attachments: '[]', raw: null, author_email: null, author_phone: null })
        .where('channel_id', '=', channelId)
        .where('created_at', '<', cutoff)
        .where((eb) => eb.or([eb('text', '<>', ''), eb('raw', 'is not', null), eb('html', 'is not', null)]))
        .executeTakeFirst();
      await db.updateTable('conversations').set({ last_message_preview: '' }).where('channel_id', '=', channelId).where('last_message_at', '<', cutoff).where('last_message_preview', '<>', '').execute();
      // A web chat channel's mailbox (migration 0013) keeps the same words for the visitor's history.
      await db.deleteFrom('chat_messages').where('channel_id', '=', channelId).where('created_at', '<', cutoff).execute();
      return Number(r.numUpdatedRows);
    },

    /**
     * Deliveries a paused channel holds (migration 0014) carry raw envelopes; those received before `cutoff` are
     * deleted (their messages would be blanked by the next purge anyway). Returns how many deliveries went.
     */
    async purgeHeldBefore(channelId: string, cutoff: number): Promise<number> {
      const r = await db.deleteFrom('channel_held_events').where('channel_id', '=', channelId).where('received_at', '<', cutoff).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /**
     * Removes the customer's envelopes (matched by author platform id on channels of the identity's platform) from
     * deliveries a paused channel holds, and deletes deliveries left empty. Runs before `erase`, which deletes the
     * identities it matches by. Returns how many envelopes went.
     */
    async eraseHeld(customerId: string): Promise<number> {
      let removed = 0;
      for (const { row, envelopes, theirs } of await heldOf(customerId)) {
        removed += theirs.length;
        const kept = envelopes.filter((e) => !theirs.includes(e));
        if (kept.length === 0 && fromJson<unknown[]>(row.deletions, []).length === 0) await db.deleteFrom('channel_held_events').where('id', '=', row.id).execute();
        else await db.updateTable('channel_held_events').set({ envelopes: JSON.stringify(kept) }).where('id', '=', row.id).execute();
      }
      return removed;
    },

    /** Removes a customer's text and identities and leaves a tombstone; message rows and their metrics remain. */
    async erase(customerId: string, erasedBy: string | null, now: number): Promise<Tombstone> {
      const conversationIds = db.selectFrom('conversations').select('id').where('customer_id', '=', customerId);
      const messages = await db
        .updateTable('messages')
        .set({ text: '', html: null, subject: null, attachments: '[]', raw: null, url: null, author_handle: null, author_display_name: null, author_email: null, author_phone: null, author_platform_id: `erased:${customerId}` })
        .where('customer_id', '=', customerId)
        .where('direction', '=', 'in')
        .executeTakeFirst();
      // Our replies quote or address the customer, so their text goes too.
      await db.updateTable('messages').set({ text: '', html: null, raw: null }).where('conversation_id', 'in', conversationIds).where('direction', '=', 'out').execute();
      await db.updateTable('conversations').set({ last_message_preview: '', subject: null }).where('customer_id', '=', customerId).execute();
      await db.updateTable('private_links').set({ email: null }).where('conversation_id', 'in', conversationIds).execute();
      // Delivered and given-up sends keep their payload (text, recipient handle and address) only for support; it goes.
      // Pending ones still need it to deliver, and the erased text is already gone from what they would post.
      await db.updateTable('outbox').set({ payload: JSON.stringify({ erased: true }) }).where('conversation_id', 'in', conversationIds).where('status', 'in', ['sent', 'dead']).execute();
      // Agents' label corrections copy the message text as training data (migration 0008).
      await db.updateTable('label_corrections').set({ text: '' }).where('message_id', 'in', db.selectFrom('messages').select('id').where((eb) => eb.or([eb('customer_id', '=', customerId), eb('conversation_id', 'in', conversationIds)]))).execute();
      const visitors = await db.selectFrom('identities').select('platform_id').where('customer_id', '=', customerId).where('platform', '=', 'chat').execute();
      if (visitors.length > 0) await db.deleteFrom('chat_messages').where('visitor_id', 'in', visitors.map((v) => v.platform_id)).execute();
      const identities = await db.deleteFrom('identities').where('customer_id', '=', customerId).executeTakeFirst();
      await db.updateTable('customers').set({ display_name: null, handle: null, fields: '{}', updated_at: now }).where('id', '=', customerId).execute();
      const tombstone: Tombstone = { customerId, erasedAt: now, erasedBy, messages: Number(messages.numUpdatedRows), identities: Number(identities.numDeletedRows) };
      await db
        .insertInto('customer_tombstones')
        .values({ customer_id: customerId, erased_at: now, erased_by: erasedBy, messages: tombstone.messages, identities: tombstone.identities })
        .onConflict((oc) => oc.column('customer_id').doUpdateSet({ erased_at: now, erased_by: erasedBy, messages: tombstone.messages, identities: tombstone.identities }))
        .execute();
      return tombstone;
    },

    async tombstone(customerId: string): Promise<Tombstone | null> {
      const r = await db.selectFrom('customer_tombstones').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
      return r ? { customerId: r.customer_id, erasedAt: Number(r.erased_at), erasedBy: r.erased_by, messages: Number(r.messages), identities: Number(r.identities) } : null;
    },

    async exportCustomer(customerId: string): Promise<CustomerDataExport | null> {
      const customer = await db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst();
      if (!customer) return null;
      const identities = await db.selectFrom('identities').selectAll().where('customer_id', '=', customerId).orderBy('created_at').execute();
      const conversations = await db.selectFrom('conversations').select(['id', 'channel_id', 'status', 'visibility', 'subject', 'created_at', 'resolved_at']).where('customer_id', '=', customerId).orderBy('created_at').execute();
      const messages = await db
        .selectFrom('messages')
        .select(['id', 'channel_id', 'conversation_id', 'direction', 'kind', 'visibility', 'author_handle', 'author_display_name', 'author_email', 'author_phone', 'text', 'subject', 'attachments', 'url', 'created_at', 'sentiment', 'intent', 'raw'])
        .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('conversation_id', 'in', conversations.length ? conversations.map((c) => c.id) : ['-'])]))
        .orderBy('created_at')
        .orderBy('id')
        .limit(exportLimit)
        .execute();
      const iso = (v: number | string | null) => (v === null ? null : new Date(Number(v)).toISOString());
      const held = (await heldOf(customerId)).map((h) => ({ channelId: h.row.channel_id, receivedAt: new Date(h.row.received_at).toISOString(), envelopes: h.theirs }));
      return {
        customer: { id: customer.id, displayName: customer.display_name, handle: customer.handle, followers: Number(customer.followers), tier: customer.tier, fields: fromJson(customer.fields, {}), createdAt: iso(customer.created_at) },
        identities: identities.map((i) => ({ platform: i.platform, platformId: i.platform_id, handle: i.handle, displayName: i.display_name, email: i.email, phone: i.phone, createdAt: iso(i.created_at) })),
        conversations: conversations.map((c) => ({ id: c.id, channelId: c.channel_id, status: c.status, visibility: c.visibility, subject: c.subject, createdAt: iso(c.created_at), resolvedAt: iso(c.resolved_at) })),
        // With the contact details and attachments the message carried, and the payload exactly as the platform sent
        // it (their profile as the platform showed it then): all of it is personal data Parley holds.
        messages: messages.map((m) => ({
          id: m.id, channelId: m.channel_id, conversationId: m.conversation_id, direction: m.direction, kind: m.kind, visibility: m.visibility, authorHandle: m.author_handle,
          authorDisplayName: m.author_display_name, authorEmail: m.author_email, authorPhone: m.author_phone, text: m.text, subject: m.subject, attachments: fromJson<unknown[]>(m.attachments, []),
          url: m.url, createdAt: iso(m.created_at), sentiment: m.sentiment, intent: m.intent, raw: fromJson<unknown>(m.raw, null),
        })),
        held,
      };
    },
  };
};

export type RetentionRepository = ReturnType<typeof createRetentionRepository>;
