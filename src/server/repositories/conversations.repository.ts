import { sql, type Insertable, type Selectable } from 'kysely';
import { conversationMatches, type SearchQuery } from '../db/dialects/full-text.js';
import type { ConversationsTable } from '../db/schema.js';
import type { Executor } from './executor.js';

export { parseSearchQuery, type SearchQuery } from '../db/dialects/full-text.js';
import { chunk, compiledArrayReads, compiledRows, fromJson, rowOf, valueRows, type ListsEvery } from './executor.js';

export interface PriorityPart {
  name: string;
  points: number;
  why: string;
}

export interface Conversation {
  id: string;
  channelId: string;
  brandId: string | null;
  customerId: string | null;
  threadKey: string;
  status: string;
  visibility: string;
  subject: string | null;
  priority: number;
  priorityBand: string;
  priorityParts: PriorityPart[];
  sentiment: string | null;
  intent: string | null;
  language: string | null;
  assigneeId: string | null;
  teamId: string | null;
  queue: string;
  messageCount: number;
  unreadCount: number;
  lastMessageId: string | null;
  lastMessageAt: number;
  lastMessagePreview: string;
  lastMessageDirection: string;
  lastInboundAt: number | null;
  firstResponseAt: number | null;
  slaDueAt: number | null;
  incidentId: string | null;
  tags: string[];
  /** Joined from the customer on list and detail reads. */
  customerHandle?: string | null;
  customerName?: string | null;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  /** While snoozed: when the conversation comes back to the open queue. */
  snoozedUntil: number | null;
  /** Set on a merged-away conversation (a tombstone): where its messages went. */
  mergedIntoId: string | null;
  /** A holding reply went out: since when the customer has been waiting for the full answer. */
  answerOwedSince: number | null;
}

export const toConversation = (r: Selectable<ConversationsTable>): Conversation => ({
  id: r.id,
  channelId: r.channel_id,
  brandId: r.brand_id,
  customerId: r.customer_id,
  threadKey: r.thread_key,
  status: r.status,
  visibility: r.visibility,
  subject: r.subject,
  priority: r.priority,
  priorityBand: r.priority_band,
  priorityParts: fromJson(r.priority_parts, []),
  sentiment: r.sentiment,
  intent: r.intent,
  language: r.language,
  assigneeId: r.assignee_id,
  teamId: r.team_id,
  queue: r.queue,
  messageCount: r.message_count,
  unreadCount: r.unread_count,
  lastMessageId: r.last_message_id,
  lastMessageAt: Number(r.last_message_at),
  lastMessagePreview: r.last_message_preview,
  lastMessageDirection: r.last_message_direction,
  lastInboundAt: r.last_inbound_at === null ? null : Number(r.last_inbound_at),
  firstResponseAt: r.first_response_at === null ? null : Number(r.first_response_at),
  slaDueAt: r.sla_due_at === null ? null : Number(r.sla_due_at),
  incidentId: r.incident_id,
  tags: fromJson(r.tags, []),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  snoozedUntil: r.snoozed_until === null || r.snoozed_until === undefined ? null : Number(r.snoozed_until),
  mergedIntoId: r.merged_into_id ?? null,
  answerOwedSince: r.answer_owed_since === null || r.answer_owed_since === undefined ? null : Number(r.answer_owed_since),
});

export interface ConversationFilter {
  status?: string;
  /** A user id, or null for unassigned. */
  assigneeId?: string | null;
  teamId?: string;
  channelId?: string;
  priorityBand?: string;
  sentiment?: string;
  customerId?: string;
  /** A queue, or '!queue' for every other queue. */
  queue?: string;
  intent?: string;
  language?: string;
  /** The customer's reach tier (standard, micro, mid, macro, mega). */
  tier?: string;
  /** SLA clock against `now`: overdue, due within `soonMs`, due later, or no clock running. */
  sla?: { state: 'breached' | 'soon' | 'ok' | 'none'; now: number; soonMs: number };
  /** Conversations with at least one message matching this full-text search. */
  search?: SearchQuery;
  /** Any of these teams (an empty list matches nothing). */
  teamIds?: readonly string[];
  /** true: part of an incident; false: not. */
  inIncident?: boolean;
}

export interface ListCursor {
  lastMessageAt: number;
  id: string;
}

export interface NewConversation {
  id: string;
  channelId: string;
  brandId: string | null;
  customerId: string | null;
  threadKey: string;
  visibility: string;
  subject: string | null;
  createdAt: number;
}

/** Precomputed list-row changes from one message. */
export interface ConversationActivity {
  id: string;
  messageId: string;
  at: number;
  preview: string;
  direction: 'in' | 'out';
  customerId: string | null;
  sentiment: string | null;
  intent: string | null;
  language: string | null;
}

/** A batch's list-row changes, per conversation: counts, the newest message, and the latest inbound facts. */
export interface FoldedActivity {
  n: number;
  unread: number;
  /** An outbound message among them: the unread count starts again from the inbound ones after it. */
  reset: boolean;
  last: ConversationActivity;
  inboundAt: number | null;
  customerId: string | null;
  sentiment: string | null;
  intent: string | null;
  language: string | null;
}

export const foldActivities = (activities: readonly ConversationActivity[]): Map<string, FoldedActivity> => {
  const folded = new Map<string, FoldedActivity>();
  for (const a of [...activities].sort((x, y) => x.at - y.at)) {
    const f = folded.get(a.id) ?? { n: 0, unread: 0, reset: false, last: a, inboundAt: null, customerId: null, sentiment: null, intent: null, language: null };
    f.n += 1;
    if (a.direction === 'in') {
      f.unread += 1;
      f.inboundAt = a.at;
      f.customerId ??= a.customerId;
      f.sentiment = a.sentiment ?? f.sentiment;
      f.intent = a.intent ?? f.intent;
      f.language = a.language ?? f.language;
    } else {
      f.unread = 0;
      f.reset = true;
    }
    f.last = a;
    folded.set(a.id, f);
  }
  return folded;
};

/** Resolves merge targets (following chains of merges, a few hops at most) to the live conversation's thread facts. */
const followMerges = async (db: Executor, ids: readonly string[]): Promise<Map<string, { id: string; status: string; resolvedAt: number | null }>> => {
  const out = new Map<string, { id: string; status: string; resolvedAt: number | null }>();
  let pending = new Map([...new Set(ids)].map((id) => [id, id]));
  for (let hop = 0; hop < 5 && pending.size > 0; hop += 1) {
    const next = new Map<string, string>();
    for (const part of chunk([...new Set(pending.values())])) {
      const rows = await db.selectFrom('conversations').select(['id', 'status', 'resolved_at', 'merged_into_id']).where('id', 'in', part).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [origin, current] of pending) {
        const r = byId.get(current);
        if (!r) continue;
        if (r.merged_into_id) next.set(origin, r.merged_into_id);
        else out.set(origin, { id: r.id, status: r.status, resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at) });
      }
    }
    pending = next;
  }
  return out;
};

/** Every column of a conversation, for reads of many rows as arrays (a column missing here fails to compile). */
const CONVERSATION_COLUMNS = [
  'id', 'channel_id', 'brand_id', 'customer_id', 'thread_key', 'status', 'visibility', 'subject', 'priority', 'priority_band', 'priority_parts',
  'sentiment', 'intent', 'language', 'assignee_id', 'team_id', 'queue', 'message_count', 'unread_count', 'last_message_id', 'last_message_at',
  'last_message_preview', 'last_message_direction', 'last_inbound_at', 'first_response_at', 'sla_due_at', 'incident_id', 'tags', 'created_at',
  'updated_at', 'resolved_at', 'snoozed_until', 'merged_into_id', 'answer_owed_since',
] as const satisfies readonly (keyof ConversationsTable)[];
const everyConversationColumn: ListsEvery<ConversationsTable, (typeof CONVERSATION_COLUMNS)[number]> = true;
void everyConversationColumn;
const readConversations = compiledArrayReads(CONVERSATION_COLUMNS, (db: Executor, ids) => db.selectFrom('conversations').select(CONVERSATION_COLUMNS).where('id', 'in', ids as string[]));

/**
 * The latest conversation of each (channel, thread key), one key at a time: a subquery per VALUES row probes the
 * thread index on both columns, whatever the planner knows (see conversationsOfExternalRows in the messages
 * repository: as `thread_key in (…)`, PostgreSQL read a young table's index by channel alone). Their rows are then
 * read by primary key.
 */
export const latestOfThreadsQuery = (rows: readonly (readonly unknown[])[]) => {
  const values = valueRows(rows);
  return sql<{ id: string | null }>`select (select c.id from conversations c where c.channel_id = v.column1 and c.thread_key = v.column2
      order by c.created_at desc, c.id desc limit 1) as id
    from (values ${values}) as v`;
};
const latestOfThreads = compiledRows(2, (_db: Executor, rows) => latestOfThreadsQuery(rows));
const THREAD_COLUMNS = ['id', 'status', 'resolved_at', 'thread_key', 'merged_into_id'] as const satisfies readonly (keyof ConversationsTable)[];
const readThreads = compiledArrayReads(THREAD_COLUMNS, (db: Executor, ids) => db.selectFrom('conversations').select(THREAD_COLUMNS).where('id', 'in', ids as string[]));

const NEW_CONVERSATION_COLUMNS = [
  'id', 'channel_id', 'brand_id', 'customer_id', 'thread_key', 'visibility', 'subject', 'status', 'last_message_at', 'created_at', 'updated_at',
  'last_message_id', 'last_message_preview', 'last_message_direction', 'message_count', 'unread_count', 'last_inbound_at', 'sentiment', 'intent', 'language',
] as const;
const insertConversationRows = compiledRows(NEW_CONVERSATION_COLUMNS.length, (db: Executor, rows) =>
  db.insertInto('conversations').values(rows.map((r) => rowOf(NEW_CONVERSATION_COLUMNS, r) as Insertable<ConversationsTable>)),
);

/** A conversation a correlate batch opens, with its messages' list-row facts. */
export type OpeningConversation = NewConversation & { activity?: FoldedActivity | undefined };

/** The values of NEW_CONVERSATION_COLUMNS for a conversation being opened. */
const openingRow = (c: OpeningConversation): unknown[] => {
  const f = c.activity;
  // As recordActivities: a message older than the row's time counts but does not become its last message.
  const newest = f && f.last.at >= c.createdAt ? f.last : null;
  // Without activity, the columns' own defaults (migration 0001), written out so every row has one shape.
  return [
    c.id, c.channelId, c.brandId, f ? (c.customerId ?? f.customerId) : c.customerId, c.threadKey, c.visibility, c.subject, 'open',
    newest ? newest.at : c.createdAt, c.createdAt, f ? f.last.at : c.createdAt, newest ? newest.messageId : null, newest ? newest.preview : '',
    newest ? newest.direction : 'in', f ? f.n : 0, f ? f.unread : 0, f ? f.inboundAt : null, f ? f.sentiment : null, f ? f.intent : null, f ? f.language : null,
  ];
};

/** The columns migration 0001 and later give a new conversation by default, beside NEW_CONVERSATION_COLUMNS. */
const OPENING_DEFAULTS = {
  priority: 0, priority_band: 'normal', priority_parts: '[]', assignee_id: null, team_id: null, queue: 'service', first_response_at: null, sla_due_at: null,
  incident_id: null, tags: '[]', resolved_at: null, snoozed_until: null, merged_into_id: null, answer_owed_since: null,
} as const satisfies Partial<Selectable<ConversationsTable>>;
const everyOpeningColumn: ListsEvery<ConversationsTable, (typeof NEW_CONVERSATION_COLUMNS)[number] | keyof typeof OPENING_DEFAULTS> = true;
void everyOpeningColumn;
const STATUS_AT = NEW_CONVERSATION_COLUMNS.indexOf('status');
const UPDATED_AT = NEW_CONVERSATION_COLUMNS.indexOf('updated_at');

/** A decision on a conversation (updateDecisions). */
export interface ConversationDecision {
  id: string;
  priority: number;
  priorityBand: string;
  priorityParts: PriorityPart[];
  assigneeId: string | null;
  teamId: string | null;
  queue: string;
  slaDueAt: number | null;
  status?: string;
  tags?: readonly string[];
  now: number;
}

/** A conversation being opened, inserted with its decision: the row decide would otherwise update right after. */
const DECIDED_COLUMNS = [...NEW_CONVERSATION_COLUMNS, 'priority', 'priority_band', 'priority_parts', 'assignee_id', 'team_id', 'queue', 'sla_due_at', 'tags'] as const;
const insertDecidedRows = compiledRows(DECIDED_COLUMNS.length, (db: Executor, rows) =>
  db.insertInto('conversations').values(rows.map((r) => rowOf(DECIDED_COLUMNS, r) as Insertable<ConversationsTable>)),
);

/** The list-row changes of a batch's messages (FoldedActivity) as SQL over `v`, the VALUES row of foldedRow. */
const FOLDED_SET = sql`message_count = message_count + v.column2,
        unread_count = case when v.column4 = 1 then v.column3 else unread_count + v.column3 end,
        last_message_id = case when last_message_at <= v.column6 then v.column5 else last_message_id end,
        last_message_preview = case when last_message_at <= v.column6 then v.column7 else last_message_preview end,
        last_message_direction = case when last_message_at <= v.column6 then v.column8 else last_message_direction end,
        last_message_at = case when last_message_at <= v.column6 then v.column6 else last_message_at end,
        last_inbound_at = coalesce(v.column9, last_inbound_at),
        snoozed_until = case when v.column9 is not null and status = 'snoozed' then null else snoozed_until end,
        customer_id = coalesce(customer_id, v.column10),
        sentiment = coalesce(v.column11, sentiment),
        intent = coalesce(v.column12, intent),
        language = coalesce(v.column13, language)`;
/** The status the activity leaves: a snoozed conversation a customer writes to comes back to the open queue. */
const FOLDED_STATUS = sql`case when v.column9 is not null and status = 'snoozed' then 'open' else status end`;
const FOLDED_WIDTH = 13;
const foldedValues = (r: readonly unknown[]) =>
  sql`${r[0]}, cast(${r[1]} as integer), cast(${r[2]} as integer), cast(${r[3]} as integer), ${r[4]}, cast(${r[5]} as bigint), ${r[6]}, ${r[7]}, cast(${r[8]} as bigint), ${r[9]}, ${r[10]}, ${r[11]}, ${r[12]}`;
const foldedRow = (id: string, f: FoldedActivity): unknown[] => [id, f.n, f.unread, f.reset ? 1 : 0, f.last.messageId, f.last.at, f.last.preview, f.last.direction, f.inboundAt, f.customerId, f.sentiment, f.intent, f.language];

const DECISION_WIDTH = 11;
const decisionValues = (r: readonly unknown[], at = 0) =>
  sql`${r[at]}, cast(${r[at + 1]} as integer), ${r[at + 2]}, ${r[at + 3]}, ${r[at + 4]}, ${r[at + 5]}, ${r[at + 6]}, cast(${r[at + 7]} as bigint), ${r[at + 8]}, cast(${r[at + 9]} as bigint), ${r[at + 10]}`;
const decisionRow = (d: ConversationDecision): unknown[] => [d.id, d.priority, d.priorityBand, JSON.stringify(d.priorityParts), d.assigneeId, d.teamId, d.queue, d.slaDueAt, d.status ?? null, d.now, d.tags ? JSON.stringify(d.tags) : null];

const updateDecisionRows = compiledRows(DECISION_WIDTH, (_db: Executor, rows) => {
  const values = sql.join(rows.map((r) => sql`(${decisionValues(r)})`));
  return sql`update conversations set priority = v.column2, priority_band = v.column3, priority_parts = v.column4, assignee_id = v.column5,
      team_id = v.column6, queue = v.column7, sla_due_at = v.column8, status = coalesce(v.column9, status), updated_at = v.column10,
      tags = coalesce(v.column11, tags)
    from (values ${values}) as v where conversations.id = v.column1`;
});

/**
 * A batch's activity and the decision on it in one update (foldedRow's values, then decisionRow's):
 * what recordFolded and then updateDecisions write, with one new row version and one write of each index instead
 * of two. The decision's status, when it sets one, wins over the activity's.
 */
const updateFoldedDecisionRows = compiledRows(FOLDED_WIDTH + DECISION_WIDTH, (_db: Executor, rows) => {
  const values = sql.join(rows.map((r) => sql`(${foldedValues(r)}, ${decisionValues(r, FOLDED_WIDTH)})`));
  return sql`update conversations set ${FOLDED_SET}, status = coalesce(v.column22, ${FOLDED_STATUS}),
      priority = v.column15, priority_band = v.column16, priority_parts = v.column17, assignee_id = v.column18, team_id = v.column19,
      queue = v.column20, sla_due_at = v.column21, updated_at = v.column23, tags = coalesce(v.column24, tags)
    from (values ${values}) as v where conversations.id = v.column1`;
});

const updateFolded = compiledRows(FOLDED_WIDTH, (_db: Executor, rows) => {
  const values = sql.join(rows.map((r) => sql`(${foldedValues(r)})`));
  return sql`update conversations set ${FOLDED_SET}, status = ${FOLDED_STATUS}, updated_at = v.column6
      from (values ${values}) as v where conversations.id = v.column1`;
});

/**
 * A conversation as recordFolded leaves it: the same rules as FOLDED_SET, in JS, for the decide stage, which reads
 * the row before the activity is written and writes both in one update (updateFoldedDecisions). Every expression
 * reads the row as it was, as an UPDATE's do.
 */
export const foldedView = (c: Conversation, f: FoldedActivity): Conversation => {
  const newest = c.lastMessageAt <= f.last.at;
  const woken = f.inboundAt !== null && c.status === 'snoozed';
  return Object.assign({}, c, {
    messageCount: c.messageCount + f.n,
    unreadCount: f.reset ? f.unread : c.unreadCount + f.unread,
    lastMessageId: newest ? f.last.messageId : c.lastMessageId,
    lastMessagePreview: newest ? f.last.preview : c.lastMessagePreview,
    lastMessageDirection: newest ? f.last.direction : c.lastMessageDirection,
    lastMessageAt: newest ? f.last.at : c.lastMessageAt,
    lastInboundAt: f.inboundAt ?? c.lastInboundAt,
    status: woken ? 'open' : c.status,
    snoozedUntil: woken ? null : c.snoozedUntil,
    customerId: c.customerId ?? f.customerId,
    sentiment: f.sentiment ?? c.sentiment,
    intent: f.intent ?? c.intent,
    language: f.language ?? c.language,
    updatedAt: f.last.at,
  });
};

const recordFolded = async (db: Executor, folded: ReadonlyMap<string, FoldedActivity>): Promise<void> => {
  await updateFolded(
    db,
    [...folded.entries()].map(([id, f]) => foldedRow(id, f)),
  );
};

/** The advisory lock key of threading (`parley` in ASCII): one number for every process of a deployment. */
const THREADING_LOCK_KEY = 0x7061726c6579;

export const createConversationsRepository = (db: Executor, options: { skipLocked: boolean } = { skipLocked: false }) => ({
  async create(c: NewConversation): Promise<void> {
    await db
      .insertInto('conversations')
      .values({
        id: c.id,
        channel_id: c.channelId,
        brand_id: c.brandId,
        customer_id: c.customerId,
        thread_key: c.threadKey,
        visibility: c.visibility,
        subject: c.subject,
        status: 'open',
        last_message_at: c.createdAt,
        created_at: c.createdAt,
        updated_at: c.createdAt,
      })
      .execute();
  },

  /** The most recent conversation on this thread, open or not (the caller applies reopen rules); a merged one answers with where it went. */
  async findByThread(channelId: string, threadKey: string): Promise<{ id: string; status: string; resolvedAt: number | null } | null> {
    const row = await db
      .selectFrom('conversations')
      .select(['id', 'status', 'resolved_at', 'merged_into_id'])
      .where('channel_id', '=', channelId)
      .where('thread_key', '=', threadKey)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    if (row.merged_into_id) return (await followMerges(db, [row.merged_into_id])).get(row.merged_into_id) ?? null;
    return { id: row.id, status: row.status, resolvedAt: row.resolved_at };
  },

  /** findByThread for many keys of one channel at once: the most recent conversation per key. */
  async findByThreads(channelId: string, threadKeys: readonly string[]): Promise<Map<string, { id: string; status: string; resolvedAt: number | null }>> {
    const found = new Map<string, { id: string; status: string; resolvedAt: number | null; mergedIntoId: string | null }>();
    const ids = (await latestOfThreads(db, [...new Set(threadKeys)].map((key) => [channelId, key]))).flatMap((r) => (r.id ? [r.id] : []));
    for (const part of chunk(ids)) {
      for (const [id, status, resolvedAt, threadKey, mergedIntoId] of await readThreads(db, part)) {
        found.set(threadKey as string, { id: id as string, status: status as string, resolvedAt: resolvedAt === null ? null : Number(resolvedAt), mergedIntoId: mergedIntoId as string | null });
      }
    }
    // A thread whose conversation was merged away continues in the conversation that absorbed it.
    const targets = await followMerges(db, [...found.values()].flatMap((v) => (v.mergedIntoId ? [v.mergedIntoId] : [])));
    return new Map([...found].map(([k, v]) => [k, (v.mergedIntoId ? targets.get(v.mergedIntoId) : undefined) ?? { id: v.id, status: v.status, resolvedAt: v.resolvedAt }]));
  },

  /** Applies one message's effect on the list row: counters, preview, last activity, reopen on inbound. */
  async recordActivity(a: ConversationActivity): Promise<void> {
    await db
      .updateTable('conversations')
      .set((eb) => ({
        message_count: eb('message_count', '+', 1),
        unread_count: a.direction === 'in' ? eb('unread_count', '+', 1) : 0,
        // Late arrivals (older than the newest message) count, but do not move the list row back in time.
        last_message_id: sql<string>`case when last_message_at <= ${a.at} then ${a.messageId} else last_message_id end`,
        last_message_preview: sql<string>`case when last_message_at <= ${a.at} then ${a.preview} else last_message_preview end`,
        last_message_direction: sql<string>`case when last_message_at <= ${a.at} then ${a.direction} else last_message_direction end`,
        last_message_at: sql<number>`case when last_message_at <= ${a.at} then ${a.at} else last_message_at end`,
        updated_at: a.at,
        ...(a.direction === 'in'
          ? {
              last_inbound_at: a.at,
              // The customer writing again ends a snooze.
              status: sql<string>`case when status = 'snoozed' then 'open' else status end`,
              snoozed_until: sql<number | null>`case when status = 'snoozed' then null else snoozed_until end`,
              customer_id: eb.fn.coalesce('customer_id', eb.val(a.customerId)),
              ...(a.sentiment ? { sentiment: a.sentiment } : {}),
              ...(a.intent ? { intent: a.intent } : {}),
              ...(a.language ? { language: a.language } : {}),
            }
          : {}),
      }))
      .where('id', '=', a.id)
      .execute();
  },

  /**
   * The batch form of recordActivity: one statement per chunk of conversations. Activities are folded per
   * conversation first (counts, unread, the newest message), so the result equals applying them one by one.
   */
  async recordActivities(activities: readonly ConversationActivity[]): Promise<void> {
    await recordFolded(db, foldActivities(activities));
  },

  /** recordActivities for activities already folded per conversation (foldActivities). */
  recordFolded: (folded: ReadonlyMap<string, FoldedActivity>): Promise<void> => recordFolded(db, folded),

  async createMany(list: readonly OpeningConversation[]): Promise<void> {
    await insertConversationRows(db, list.map(openingRow));
  },

  /**
   * Conversations being opened, each inserted once with its decision, instead of inserted by correlate and updated
   * by decide in the same transaction (every index of the row written twice; on PostgreSQL a second row version).
   * The status and tags a decision leaves unset are the opening row's.
   */
  async createDecided(list: readonly { opening: OpeningConversation; decision: ConversationDecision }[]): Promise<void> {
    await insertDecidedRows(
      db,
      list.map(({ opening, decision: d }) => {
        const row = openingRow(opening);
        if (d.status) row[STATUS_AT] = d.status;
        row[UPDATED_AT] = d.now;
        return [...row, d.priority, d.priorityBand, JSON.stringify(d.priorityParts), d.assigneeId, d.teamId, d.queue, d.slaDueAt, JSON.stringify(d.tags ?? [])];
      }),
    );
  },

  async updateDecision(d: { id: string; priority: number; priorityBand: string; priorityParts: PriorityPart[]; assigneeId: string | null; teamId: string | null; queue: string; slaDueAt: number | null; status?: string; now: number }): Promise<void> {
    await db
      .updateTable('conversations')
      .set({
        priority: d.priority,
        priority_band: d.priorityBand,
        priority_parts: JSON.stringify(d.priorityParts),
        assignee_id: d.assigneeId,
        team_id: d.teamId,
        queue: d.queue,
        sla_due_at: d.slaDueAt,
        ...(d.status ? { status: d.status } : {}),
        updated_at: d.now,
      })
      .where('id', '=', d.id)
      .execute();
  },

  /**
   * The batch form of updateDecision, in compiledRows' statements (status left alone where not given; tags, sorted and
   * deduplicated by the caller, written only where given, so a batch's rule tags cost no statement of their own).
   */
  async updateDecisions(list: readonly ConversationDecision[]): Promise<void> {
    await updateDecisionRows(db, list.map(decisionRow));
  },

  /** recordFolded and then updateDecisions for the same conversations, in one update of each row. */
  async updateFoldedDecisions(list: readonly { fold: FoldedActivity; decision: ConversationDecision }[]): Promise<void> {
    await updateFoldedDecisionRows(
      db,
      list.map(({ fold, decision }) => {
        const row = foldedRow(decision.id, fold);
        for (const value of decisionRow(decision)) row.push(value);
        return row;
      }),
    );
  },

  /**
   * Threading reads conversations by thread key, then opens the ones it did not find. On PostgreSQL several worker
   * processes correlate at once, and two transactions would each miss the other's uncommitted conversation and open
   * one each for the same thread. This transaction-scoped advisory lock (released at commit or rollback) makes
   * threading one transaction at a time across processes; the embedded store's transactions already are.
   */
  async serialiseThreading(): Promise<void> {
    if (options.skipLocked) await sql`select pg_advisory_xact_lock(${THREADING_LOCK_KEY})`.execute(db);
  },

  /**
   * Holds the conversation's row until the transaction ends, so a decision read from it cannot race another
   * transaction making the same one (PostgreSQL; the embedded store's transactions already run one at a time).
   */
  async lock(id: string): Promise<void> {
    if (options.skipLocked) await db.selectFrom('conversations').select('id').where('id', '=', id).forUpdate().execute();
  },

  async get(id: string): Promise<Conversation | null> {
    const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toConversation(row) : null;
  },

  /** A conversation being opened as getMany would read it once inserted (createMany). */
  opening(c: OpeningConversation): Conversation {
    // Assigned, not spread: spreading rowOf's object (built key by key) cost about 25 µs a row.
    return toConversation(Object.assign(rowOf(NEW_CONVERSATION_COLUMNS, openingRow(c)), OPENING_DEFAULTS) as Selectable<ConversationsTable>);
  },

  async getMany(ids: readonly string[]): Promise<Conversation[]> {
    const out: Conversation[] = [];
    // Arrays, then objects built here: cheaper than the driver building each row object key by key (329 → 259 ms per 20k messages).
    for (const part of chunk(ids)) for (const row of await readConversations(db, part)) out.push(toConversation(rowOf(CONVERSATION_COLUMNS, row) as Selectable<ConversationsTable>));
    return out;
  },

  /**
   * Newest activity first, keyset-paginated; every filter is served by an index ending in (last_message_at, id).
   * A search narrows to the conversations the store's full-text index finds, in the same order.
   */
  async list(filter: ConversationFilter, cursor: ListCursor | null, limit: number): Promise<Conversation[]> {
    let q = db
      .selectFrom('conversations')
      .leftJoin('customers', 'customers.id', 'conversations.customer_id')
      .selectAll('conversations')
      .select(['customers.handle as customer_handle', 'customers.display_name as customer_name']);
    if (filter.queue !== undefined) q = filter.queue.startsWith('!') ? q.where('conversations.queue', '!=', filter.queue.slice(1)) : q.where('conversations.queue', '=', filter.queue);
    if (filter.status !== undefined) q = q.where('conversations.status', '=', filter.status);
    // Merged-away conversations are tombstones: reachable by id, never listed.
    else q = q.where('conversations.status', '!=', 'merged');
    if (filter.assigneeId !== undefined) q = filter.assigneeId === null ? q.where('conversations.assignee_id', 'is', null) : q.where('conversations.assignee_id', '=', filter.assigneeId);
    if (filter.teamId !== undefined) q = q.where('conversations.team_id', '=', filter.teamId);
    if (filter.channelId !== undefined) q = q.where('conversations.channel_id', '=', filter.channelId);
    if (filter.priorityBand !== undefined) q = q.where('conversations.priority_band', '=', filter.priorityBand);
    if (filter.sentiment !== undefined) q = q.where('conversations.sentiment', '=', filter.sentiment);
    if (filter.customerId !== undefined) q = q.where('conversations.customer_id', '=', filter.customerId);
    if (filter.teamIds !== undefined) q = q.where('conversations.team_id', 'in', filter.teamIds.length ? filter.teamIds : ['-']);
    if (filter.inIncident !== undefined) q = q.where('conversations.incident_id', filter.inIncident ? 'is not' : 'is', null);
    if (filter.intent !== undefined) q = q.where('conversations.intent', '=', filter.intent);
    if (filter.language !== undefined) q = q.where('conversations.language', '=', filter.language);
    if (filter.tier !== undefined) q = q.where('customers.tier', '=', filter.tier);
    if (filter.sla !== undefined) {
      const { state, now, soonMs } = filter.sla;
      if (state === 'none') q = q.where('conversations.sla_due_at', 'is', null);
      else if (state === 'breached') q = q.where('conversations.sla_due_at', '<', now);
      else if (state === 'soon') q = q.where('conversations.sla_due_at', '>=', now).where('conversations.sla_due_at', '<', now + soonMs);
      else q = q.where('conversations.sla_due_at', '>=', now + soonMs);
    }
    if (filter.search !== undefined) {
      const matches = await conversationMatches(db as never, filter.search);
      q = q.where(matches);
    }
    if (cursor) {
      q = q.where((eb) =>
        eb.or([eb('conversations.last_message_at', '<', cursor.lastMessageAt), eb.and([eb('conversations.last_message_at', '=', cursor.lastMessageAt), eb('conversations.id', '<', cursor.id)])]),
      );
    }
    const rows = await q.orderBy('conversations.last_message_at', 'desc').orderBy('conversations.id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ ...toConversation(r), customerHandle: r.customer_handle, customerName: r.customer_name }));
  },

  /**
   * Open conversations waiting for our response that this user may take: their own, and unassigned ones in the
   * service queue of their teams (or of no team). Three short lists, the nearest SLA deadlines, the longest waits and
   * the highest scores, are enough for the work order to choose from (work-order.ts).
   */
  async awaitingResponse(userId: string, limit = 100): Promise<{ id: string; priority: number; slaDueAt: number | null; waitingSince: number; assigneeId: string | null }[]> {
    const base = db
      .selectFrom('conversations')
      .select(['id', 'priority', 'sla_due_at', 'first_response_at', 'created_at', 'last_inbound_at', 'assignee_id', 'answer_owed_since'])
      .where('status', '=', 'open')
      // The customer wrote last, or only a holding reply answered them.
      .where((eb) => eb.or([eb('last_message_direction', '=', 'in'), eb('answer_owed_since', 'is not', null)]))
      .where('merged_into_id', 'is', null)
      .where((eb) =>
        eb.or([
          eb('assignee_id', '=', userId),
          eb.and([eb('assignee_id', 'is', null), eb('queue', '=', 'service'), eb.or([eb('team_id', 'is', null), eb('team_id', 'in', eb.selectFrom('team_members').select('team_id').where('user_id', '=', userId))])]),
        ]),
      );
    const [byDeadline, byWait, byScore] = await Promise.all([
      base.where('sla_due_at', 'is not', null).orderBy('sla_due_at').orderBy('id').limit(limit).execute(),
      // The longest waits: past the response horizon whatever their SLA says.
      base.orderBy('last_inbound_at').orderBy('id').limit(limit).execute(),
      base.orderBy('priority', 'desc').orderBy('id').limit(limit).execute(),
    ]);
    const seen = new Set<string>();
    return [...byDeadline, ...byWait, ...byScore]
      .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
      .map((r) => ({
        id: r.id,
        priority: Number(r.priority),
        slaDueAt: r.sla_due_at === null ? null : Number(r.sla_due_at),
        // Waiting since the conversation opened for a first response, since the customer's last message for a next one.
        waitingSince: r.answer_owed_since !== null ? Number(r.answer_owed_since) : r.first_response_at === null ? Number(r.created_at) : Number(r.last_inbound_at ?? r.created_at),
        assigneeId: r.assignee_id,
      }));
  },

  /** After a holding reply, since when the full answer is owed (kept if already owed); null after a full reply. */
  async setAnswerOwed(id: string, since: number | null): Promise<void> {
    await db
      .updateTable('conversations')
      .set(since === null ? { answer_owed_since: null } : (eb) => ({ answer_owed_since: eb.fn.coalesce('answer_owed_since', eb.val(since)) }))
      .where('id', '=', id)
      .execute();
  },

  /** Assigns only if nobody holds the conversation (or this user already does): two agents taking work never both get it. */
  async claim(id: string, userId: string, now: number): Promise<boolean> {
    const r = await db
      .updateTable('conversations')
      .set({ assignee_id: userId, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .where((eb) => eb.or([eb('assignee_id', 'is', null), eb('assignee_id', '=', userId)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async setAssignment(id: string, assigneeId: string | null, teamId: string | null, now: number): Promise<boolean> {
    const r = await db.updateTable('conversations').set({ assignee_id: assigneeId, team_id: teamId, updated_at: now }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async setStatus(id: string, status: string, now: number): Promise<boolean> {
    const r = await db
      .updateTable('conversations')
      .set({ status, updated_at: now, resolved_at: status === 'resolved' || status === 'closed' ? now : null, ...(status === 'snoozed' ? {} : { snoozed_until: null }) })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Snoozes until `until`; the wake-up job and the customer's next message end it. */
  async snooze(id: string, until: number, now: number): Promise<boolean> {
    const r = await db.updateTable('conversations').set({ status: 'snoozed', snoozed_until: until, resolved_at: null, updated_at: now }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Ends a snooze whose time has come; false when it was ended or moved meanwhile (a stale wake-up). */
  async wake(id: string, now: number): Promise<boolean> {
    const r = await db
      .updateTable('conversations')
      .set({ status: 'open', snoozed_until: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'snoozed')
      .where('snoozed_until', '<=', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async markRead(id: string): Promise<void> {
    await db.updateTable('conversations').set({ unread_count: 0 }).where('id', '=', id).execute();
  },

  async recordFirstResponse(id: string, at: number): Promise<void> {
    await db.updateTable('conversations').set({ first_response_at: at, sla_due_at: null }).where('id', '=', id).where('first_response_at', 'is', null).execute();
  },

  /** recordFirstResponse for many conversations in one statement per chunk. */
  async recordFirstResponses(list: readonly { id: string; at: number }[]): Promise<void> {
    for (const part of chunk(list, 200)) {
      const rows = sql.join(part.map((r) => sql`(${r.id}, cast(${r.at} as bigint))`));
      await sql`update conversations set first_response_at = v.column2, sla_due_at = null
        from (values ${rows}) as v where conversations.id = v.column1 and conversations.first_response_at is null`.execute(db);
    }
  },

  /** Open conversations per assignee: the load routing balances. */
  async openLoadByAssignee(): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('conversations')
      .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['open', 'pending'])
      .where('assignee_id', 'is not', null)
      .groupBy('assignee_id')
      .execute();
    return new Map(rows.map((r) => [r.assignee_id as string, Number(r.n)]));
  },
});

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;
