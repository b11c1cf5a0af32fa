import { sql, type Insertable, type RawBuilder, type Selectable } from 'kysely';
import type { MessagesTable } from '../db/schema.js';
import type { Executor } from './executor.js';
import { chunk, compiledArrayReads, compiledRows, fromJson, rowOf, valueRows } from './executor.js';

export type MessageStage = 'ingested' | 'understood' | 'correlated' | 'decided';

export interface MessageAuthor {
  platformId: string;
  handle: string | null;
  displayName: string | null;
  followers: number;
  verified: boolean;
  email: string | null;
  /** E.164, only when the platform vouches for it (WhatsApp, an attested caller id). */
  phone?: string | null;
}

/** What a stored message and one about to be stored have in common. */
interface MessageFields {
  id: string;
  channelId: string;
  externalId: string;
  direction: 'in' | 'out';
  kind: string;
  visibility: 'public' | 'private';
  author: MessageAuthor;
  text: string;
  subject: string | null;
  attachments: unknown[];
  inReplyTo: string | null;
  threadKey: string | null;
  url: string | null;
  listening: boolean;
  createdAt: number;
  receivedAt: number;
  editedAt: number | null;
  stage: MessageStage;
}

export interface NewMessage extends MessageFields {
  html: string | null;
  raw: string | null;
  conversationId?: string | null;
  customerId?: string | null;
  sentByUserId?: string | null;
}

export interface MessageClassification {
  id: string;
  language: string | null;
  sentiment: string | null;
  sentimentScore: number | null;
  intent: string | null;
  intentScore: number | null;
  urgency: string | null;
  needsResponse: boolean;
  spam: boolean;
  classifications: string;
  modelVersion: string;
  /** Carried from the understand stage to decide in one transaction (UnderstoodFields); not stored apart. */
  negative?: number;
  escalation?: readonly string[];
}

export interface Message extends MessageFields {
  conversationId: string | null;
  customerId: string | null;
  identityId: string | null;
  incidentId: string | null;
  deletedAt: number | null;
  classification: Record<string, unknown> | null;
  modelVersion: string | null;
  sentByUserId: string | null;
}

export const toMessage = (r: Selectable<MessagesTable>): Message => ({
  id: r.id,
  channelId: r.channel_id,
  externalId: r.external_id,
  conversationId: r.conversation_id,
  customerId: r.customer_id,
  identityId: r.identity_id,
  incidentId: r.incident_id,
  direction: r.direction as Message['direction'],
  kind: r.kind,
  visibility: r.visibility as Message['visibility'],
  author: {
    platformId: r.author_platform_id,
    handle: r.author_handle,
    displayName: r.author_display_name,
    followers: Number(r.author_followers),
    verified: r.author_verified === 1,
    email: r.author_email,
  },
  text: r.text,
  subject: r.subject,
  attachments: fromJson(r.attachments, []),
  inReplyTo: r.in_reply_to,
  threadKey: r.thread_key,
  url: r.url,
  listening: r.listening === 1,
  createdAt: Number(r.created_at),
  receivedAt: Number(r.received_at),
  editedAt: r.edited_at === null ? null : Number(r.edited_at),
  deletedAt: r.deleted_at === null ? null : Number(r.deleted_at),
  stage: r.stage as MessageStage,
  classification: fromJson<Record<string, unknown> | null>(r.classifications, null),
  modelVersion: r.model_version,
  sentByUserId: r.sent_by_user_id,
});

/** Columns the pipeline stages need; the raw payload and HTML stay on disk. */
export interface PipelineMessage {
  id: string;
  channelId: string;
  externalId: string;
  direction: 'in' | 'out';
  kind: string;
  visibility: 'public' | 'private';
  authorPlatformId: string;
  authorHandle: string | null;
  authorDisplayName: string | null;
  authorFollowers: number;
  authorVerified: boolean;
  authorEmail: string | null;
  authorPhone: string | null;
  text: string;
  subject: string | null;
  inReplyTo: string | null;
  threadKey: string | null;
  createdAt: number;
  receivedAt: number;
  stage: MessageStage;
  conversationId: string | null;
  customerId: string | null;
  sentiment: string | null;
  sentimentScore: number | null;
  intent: string | null;
  urgency: string | null;
  needsResponse: boolean;
  spam: boolean;
  language: string | null;
  /** The understand stage's full record (JSON), parsed only by the stages that need it. */
  classifications: string | null;
}

/** The columns a new message is inserted with, in the order insertMany gives its values; duplicates of a stored (channel, externalId) are skipped. */
const NEW_MESSAGE_COLUMNS = [
  'id', 'channel_id', 'external_id', 'conversation_id', 'customer_id', 'direction', 'kind', 'visibility', 'author_platform_id', 'author_handle',
  'author_display_name', 'author_followers', 'author_verified', 'author_email', 'author_phone', 'text', 'html', 'subject', 'attachments',
  'in_reply_to', 'thread_key', 'url', 'listening', 'created_at', 'received_at', 'edited_at', 'raw', 'stage', 'sent_by_user_id',
] as const satisfies readonly (keyof MessagesTable)[];
const insertMessages = compiledRows(NEW_MESSAGE_COLUMNS.length, (db: Executor, rows) =>
  db
    .insertInto('messages')
    .values(rows.map((r) => rowOf(NEW_MESSAGE_COLUMNS, r) as Insertable<MessagesTable>))
    .onConflict((oc) => oc.columns(['channel_id', 'external_id']).doNothing())
    .returning('id'),
);

/**
 * A VALUES row that starts with a message id and understand's ten columns (understoodValues), cast where PostgreSQL
 * cannot tell a parameter's type, then `more`; and the SET clause of those ten columns.
 */
const classifiedRow = (r: readonly unknown[], ...more: RawBuilder<unknown>[]) =>
  sql`(${r[0]}, ${r[1]}, ${r[2]}, cast(${r[3]} as double precision), ${r[4]}, cast(${r[5]} as double precision), ${r[6]}, cast(${r[7]} as integer), cast(${r[8]} as integer), ${r[9]}, ${r[10]}${more.length > 0 ? sql`, ${sql.join(more)}` : sql``})`;
const SET_CLASSIFIED = sql`language = v.column2, sentiment = v.column3, sentiment_score = v.column4, intent = v.column5, intent_score = v.column6,
    urgency = v.column7, needs_response = v.column8, spam = v.column9, classifications = v.column10, model_version = v.column11`;

const updateClassifications = compiledRows(11, (_db: Executor, rows) => {
  return sql`update messages set ${SET_CLASSIFIED}, stage = 'understood'
    from (values ${sql.join(rows.map((r) => classifiedRow(r)))}) as v where messages.id = v.column1 and messages.stage = 'ingested'`;
});

const updateCorrelations = compiledRows(4, (_db: Executor, rows) => {
  return sql`update messages set conversation_id = v.column2, customer_id = v.column3, identity_id = v.column4, stage = 'correlated'
    from (values ${valueRows(rows)}) as v where messages.id = v.column1 and messages.stage = 'understood'`;
});

/** updateCorrelations for messages the understand stage handed over in the same transaction: its columns with correlate's, in one update. */
const updateUnderstoodCorrelations = compiledRows(14, (_db: Executor, rows) => {
  return sql`update messages set ${SET_CLASSIFIED}, conversation_id = v.column12, customer_id = v.column13, identity_id = v.column14, stage = 'correlated'
    from (values ${sql.join(rows.map((r) => classifiedRow(r, sql`${r[11]}`, sql`${r[12]}`, sql`${r[13]}`)))}) as v where messages.id = v.column1 and messages.stage = 'ingested'`;
});

/**
 * The conversation of each (channel, external id), looked up one key at a time: a subquery per VALUES row is a probe
 * of the unique index on both columns whatever the planner knows. As `external_id in (…)`, PostgreSQL read that
 * index by channel alone on a table too young for statistics, and filtered out every other message of the channel
 * (about 6 ms a batch of 500 among 20,000 messages, and growing with the table).
 */
export const conversationsOfExternalQuery = (rows: readonly (readonly unknown[])[]) => {
  const values = valueRows(rows);
  return sql<{ external_id: string; conversation_id: string | null }>`select v.column2 as external_id,
      (select m.conversation_id from messages m where m.channel_id = v.column1 and m.external_id = v.column2) as conversation_id
    from (values ${values}) as v`;
};
const conversationsOfExternalRows = compiledRows(2, (_db: Executor, rows) => conversationsOfExternalQuery(rows));

/**
 * updateUnderstoodCorrelations for messages decided in the same transaction: the one update of each message from
 * ingested to decided (understand's, correlate's and decide's columns).
 */
const updateDecidedCorrelations = compiledRows(15, (_db: Executor, rows) => {
  return sql`update messages set ${SET_CLASSIFIED}, conversation_id = v.column12, customer_id = v.column13, identity_id = v.column14, stage = 'decided',
    decided_at = v.column15
    from (values ${sql.join(rows.map((r) => classifiedRow(r, sql`${r[11]}`, sql`${r[12]}`, sql`${r[13]}`, sql`cast(${r[14]} as bigint)`)))}) as v
    where messages.id = v.column1 and messages.stage = 'ingested'`;
});

/** What correlate stores of a message; with understand's results when those were handed to it, unwritten. */
export interface MessageCorrelation {
  id: string;
  conversationId: string;
  customerId: string | null;
  identityId: string | null;
  understood?: MessageClassification;
}

const understoodValues = (u: MessageClassification): unknown[] => [u.language, u.sentiment, u.sentimentScore, u.intent, u.intentScore, u.urgency, u.needsResponse ? 1 : 0, u.spam ? 1 : 0, u.classifications, u.modelVersion];

/** The columns the pipeline stages read, in the order toPipelineMessage takes them (classifications last, if read). */
const PIPELINE_COLUMNS = [
  'id', 'channel_id', 'external_id', 'direction', 'kind', 'visibility', 'author_platform_id', 'author_handle',
  'author_display_name', 'author_followers', 'author_verified', 'author_email', 'author_phone', 'text', 'subject', 'in_reply_to',
  'thread_key', 'created_at', 'received_at', 'stage', 'conversation_id', 'customer_id', 'sentiment', 'sentiment_score',
  'intent', 'urgency', 'needs_response', 'spam', 'language',
] as const satisfies readonly (keyof MessagesTable)[];
const readPipelineMessages = compiledArrayReads(PIPELINE_COLUMNS, (db: Executor, ids) =>
  db.selectFrom('messages').select(PIPELINE_COLUMNS).where('id', 'in', ids as string[]),
);
const readPipelineMessagesWithClassifications = compiledArrayReads([...PIPELINE_COLUMNS, 'classifications'], (db: Executor, ids) =>
  db.selectFrom('messages').select([...PIPELINE_COLUMNS, 'classifications']).where('id', 'in', ids as string[]),
);

/** One row of readPipelineMessages (or its variant with classifications) as the stages use it. */
const toPipelineMessage = (r: unknown[]): PipelineMessage => ({
  id: r[0] as string,
  channelId: r[1] as string,
  externalId: r[2] as string,
  direction: r[3] as 'in' | 'out',
  kind: r[4] as string,
  visibility: r[5] as 'public' | 'private',
  authorPlatformId: r[6] as string,
  authorHandle: r[7] as string | null,
  authorDisplayName: r[8] as string | null,
  authorFollowers: Number(r[9]),
  authorVerified: r[10] === 1,
  authorEmail: r[11] as string | null,
  authorPhone: r[12] as string | null,
  text: r[13] as string,
  subject: r[14] as string | null,
  inReplyTo: r[15] as string | null,
  threadKey: r[16] as string | null,
  createdAt: Number(r[17]),
  receivedAt: Number(r[18]),
  stage: r[19] as MessageStage,
  conversationId: r[20] as string | null,
  customerId: r[21] as string | null,
  sentiment: r[22] as string | null,
  sentimentScore: r[23] as number | null,
  intent: r[24] as string | null,
  urgency: r[25] as string | null,
  needsResponse: r[26] === 1,
  spam: r[27] === 1,
  language: r[28] as string | null,
  classifications: r.length > PIPELINE_COLUMNS.length ? (r[29] as string | null) : null,
});

/** The message as the store holds it once `c` is written (saveClassifications): what forPipeline would then read. */
export const withClassification = (m: PipelineMessage, c: MessageClassification): PipelineMessage => ({
  ...m,
  stage: 'understood',
  language: c.language,
  sentiment: c.sentiment,
  sentimentScore: c.sentimentScore,
  intent: c.intent,
  urgency: c.urgency,
  needsResponse: c.needsResponse,
  spam: c.spam,
  classifications: c.classifications,
});

export const createMessagesRepository = (db: Executor) => ({
  /** Inserts new messages; an existing (channel, externalId) is left alone. Returns the ids actually inserted. */
  async insertMany(messages: readonly NewMessage[]): Promise<string[]> {
    const rows = await insertMessages(
      db,
      messages.map((m) => [
        m.id, m.channelId, m.externalId, m.conversationId ?? null, m.customerId ?? null, m.direction, m.kind, m.visibility,
        m.author.platformId, m.author.handle, m.author.displayName, m.author.followers, m.author.verified ? 1 : 0, m.author.email,
        m.author.phone ?? null, m.text, m.html, m.subject, JSON.stringify(m.attachments), m.inReplyTo, m.threadKey, m.url,
        m.listening ? 1 : 0, m.createdAt, m.receivedAt, m.editedAt, m.raw, m.stage, m.sentByUserId ?? null,
      ]),
    );
    return rows.map((row) => row.id);
  },

  /** The stored versions of these (channel, externalId) pairs, for edits and echo checks. */
  async findByExternalIds(channelId: string, externalIds: readonly string[]): Promise<{ id: string; externalId: string; direction: string; editedAt: number | null; createdAt: number; conversationId: string | null; text: string }[]> {
    const out = [];
    for (const part of chunk(externalIds)) {
      const rows = await db
        .selectFrom('messages')
        .select(['id', 'external_id', 'direction', 'edited_at', 'created_at', 'conversation_id', 'text'])
        .where('channel_id', '=', channelId)
        .where('external_id', 'in', part)
        .execute();
      for (const r of rows) out.push({ id: r.id, externalId: r.external_id, direction: r.direction, editedAt: r.edited_at, createdAt: Number(r.created_at), conversationId: r.conversation_id, text: r.text });
    }
    return out;
  },

  /** What the understand stage reads: the text and subject of the messages still waiting for it. */
  async textsToUnderstand(ids: readonly string[]): Promise<{ id: string; text: string; subject: string | null }[]> {
    const out: { id: string; text: string; subject: string | null }[] = [];
    for (const part of chunk(ids)) {
      const rows = await db.selectFrom('messages').select(['id', 'text', 'subject']).where('id', 'in', part).where('stage', '=', 'ingested').execute();
      for (const r of rows) out.push({ id: r.id, text: r.text, subject: r.subject });
    }
    const order = new Map(ids.map((id, i) => [id, i]));
    return out.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  },

  /** `withClassifications: false` skips the full classifier record (a large JSON) for stages that do not read it. */
  async forPipeline(ids: readonly string[], options: { withClassifications?: boolean } = {}): Promise<PipelineMessage[]> {
    const read = options.withClassifications === false ? readPipelineMessages : readPipelineMessagesWithClassifications;
    const out: PipelineMessage[] = [];
    for (const part of chunk(ids)) for (const row of await read(db, part)) out.push(toPipelineMessage(row));
    const order = new Map(ids.map((id, i) => [id, i]));
    return out.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  },

  /** UPDATE … FROM VALUES (SQLite ≥ 3.33 and PostgreSQL), in compiledRows' statements; only messages still at 'ingested' change. */
  async saveClassifications(items: readonly MessageClassification[]): Promise<void> {
    await updateClassifications(
      db,
      items.map((c) => [c.id, c.language, c.sentiment, c.sentimentScore, c.intent, c.intentScore, c.urgency, c.needsResponse ? 1 : 0, c.spam ? 1 : 0, c.classifications, c.modelVersion]),
    );
  },

  /**
   * Correlate's results. An item with `understood` is a message the understand stage handed over in this transaction
   * instead of writing it (still at 'ingested'): its classification is written here too, one update per message.
   */
  async saveCorrelation(items: readonly MessageCorrelation[]): Promise<void> {
    const plain: unknown[][] = [];
    const understood: unknown[][] = [];
    for (const c of items) {
      const u = c.understood;
      if (!u) plain.push([c.id, c.conversationId, c.customerId, c.identityId]);
      else understood.push([c.id, ...understoodValues(u), c.conversationId, c.customerId, c.identityId]);
    }
    await updateCorrelations(db, plain);
    await updateUnderstoodCorrelations(db, understood);
  },

  /**
   * Correlations of messages understood and correlated in this transaction and left unwritten, written decided:
   * one update of each message instead of one by correlate and another by markDecided.
   */
  async saveDecided(items: readonly (MessageCorrelation & { understood: MessageClassification })[], now: number): Promise<void> {
    await updateDecidedCorrelations(db, items.map((c) => [c.id, ...understoodValues(c.understood), c.conversationId, c.customerId, c.identityId, now]));
  },

  async markDecided(ids: readonly string[], now: number): Promise<void> {
    for (const part of chunk(ids)) {
      await db.updateTable('messages').set({ stage: 'decided', decided_at: now }).where('id', 'in', part).where('stage', '=', 'correlated').execute();
    }
  },

  /** Conversation of the message a reply points at, if we have it. */
  async conversationsOfExternal(channelId: string, externalIds: readonly string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    const rows = await conversationsOfExternalRows(db, [...new Set(externalIds)].map((id) => [channelId, id]));
    for (const r of rows) if (r.conversation_id) map.set(r.external_id, r.conversation_id);
    return map;
  },

  async get(id: string): Promise<Message | null> {
    const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMessage(row) : null;
  },

  async listByConversation(conversationId: string, limit: number): Promise<Message[]> {
    const rows = await db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(toMessage);
  },

  async updateEdit(id: string, text: string, editedAt: number, raw: string | null): Promise<void> {
    await db.updateTable('messages').set({ text, edited_at: editedAt, raw }).where('id', '=', id).execute();
  },

  async tombstone(channelId: string, externalId: string, now: number): Promise<string | null> {
    const row = await db
      .updateTable('messages')
      .set({ text: '', html: null, raw: null, subject: null, attachments: '[]', deleted_at: now })
      .where('channel_id', '=', channelId)
      .where('external_id', '=', externalId)
      .returning('id')
      .executeTakeFirst();
    // The inbox row previews the newest message: a deleted one's words must not linger there.
    if (row) await db.updateTable('conversations').set({ last_message_preview: '' }).where('last_message_id', '=', row.id).execute();
    return row?.id ?? null;
  },

  /** An agent's correction replaces the label the inbox filters on; the model's own output stays in `classifications`. */
  async applyCorrection(id: string, field: string, value: string): Promise<void> {
    if (field === 'sentiment') await db.updateTable('messages').set({ sentiment: value }).where('id', '=', id).execute();
    else if (field === 'intent') await db.updateTable('messages').set({ intent: value }).where('id', '=', id).execute();
    else if (field === 'urgency') await db.updateTable('messages').set({ urgency: value }).where('id', '=', id).execute();
    else if (field === 'spam') await db.updateTable('messages').set({ spam: value === 'true' ? 1 : 0 }).where('id', '=', id).execute();
    else if (field === 'language') await db.updateTable('messages').set({ language: value }).where('id', '=', id).execute();
  },

  async setExternalId(id: string, externalId: string, url: string | null): Promise<void> {
    await db.updateTable('messages').set({ external_id: externalId, url }).where('id', '=', id).execute();
  },

  /** Keyset page over every message for export, oldest first. */
  async exportPage(afterId: string | null, limit: number): Promise<Selectable<MessagesTable>[]> {
    let q = db.selectFrom('messages').selectAll().orderBy('id').limit(limit);
    if (afterId) q = q.where('id', '>', afterId);
    return q.execute();
  },

  async countByStage(): Promise<Record<string, number>> {
    const rows = await db.selectFrom('messages').select(['stage', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('stage').execute();
    return Object.fromEntries(rows.map((r) => [r.stage, Number(r.n)]));
  },
});

export type MessagesRepository = ReturnType<typeof createMessagesRepository>;
