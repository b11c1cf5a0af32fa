import { sql, SqliteAdapter, type Kysely, type RawBuilder, type Transaction } from 'kysely';

/**
 * A search as people type it (web-search style): words, "quoted phrases", `or` between alternatives and `-word` to
 * exclude. Parsed once, then written in each store's own syntax, so both stores read the same query the same way
 * and no input can be a syntax error in either.
 */
export interface SearchQuery {
  /** Every group must match; a group matches when any of its alternatives does. Each alternative is a phrase of words. */
  all: string[][][];
  /** Messages with any of these phrases are left out. */
  none: string[][];
}

const maxTerms = 16;

/** Words as both stores' tokenisers see them: runs of letters and digits, lower-cased. */
const words = (text: string): string[] => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, maxTerms);

/** Null when nothing in `text` can be looked for (no letters or digits outside exclusions). */
export const parseSearchQuery = (text: string): SearchQuery | null => {
  const tokens: { phrase: string[]; negated: boolean; or: boolean }[] = [];
  const pattern = /(-?)"([^"]*)"?|(\S+)/g;
  let pendingOr = false;
  for (const m of text.matchAll(pattern)) {
    const raw = m[3];
    if (raw !== undefined && raw.toLowerCase() === 'or') {
      pendingOr = tokens.length > 0;
      continue;
    }
    const negated = m[1] === '-' || (raw?.startsWith('-') ?? false);
    const phrase = words(raw ?? m[2] ?? '');
    if (phrase.length === 0) continue;
    tokens.push({ phrase, negated, or: pendingOr && !negated });
    pendingOr = false;
    if (tokens.length >= maxTerms) break;
  }
  const query: SearchQuery = { all: [], none: [] };
  for (const t of tokens) {
    if (t.negated) query.none.push(t.phrase);
    else if (t.or && query.all.length > 0) query.all[query.all.length - 1]!.push(t.phrase);
    else query.all.push([t.phrase]);
  }
  return query.all.length > 0 ? query : null;
};

const fts5Phrase = (phrase: string[]): string => `"${phrase.join(' ')}"`;

/** FTS5 MATCH syntax, every group parenthesised (FTS5 binds AND tighter than OR). */
export const toFts5 = (q: SearchQuery): string => {
  const positive = q.all.map((group) => `(${group.map(fts5Phrase).join(' OR ')})`).join(' AND ');
  return [positive, ...q.none.map(fts5Phrase)].join(' NOT ');
};

/** A tsquery built from websearch_to_tsquery per phrase, combined explicitly so precedence is the same as on SQLite. */
const toTsquery = (q: SearchQuery): RawBuilder<unknown> => {
  const phrase = (p: string[]) => sql`websearch_to_tsquery('simple', ${p.length > 1 ? `"${p.join(' ')}"` : p[0]!})`;
  const groups = q.all.map((group) => sql`(${sql.join(group.map(phrase), sql` || `)})`);
  const excluded = q.none.map((p) => sql`!! ${phrase(p)}`);
  return sql`(${sql.join([...groups, ...excluded], sql` && `)})`;
};

type AnyDb = Kysely<never> | Transaction<never>;

const isSqlite = (db: AnyDb): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/** Up to this many matching messages, a search starts from the index; beyond it, from the list (see below). Tests pass lower limits to reach every plan. */
const defaultRareLimit = 5000;

/**
 * A condition on `conversations` (the list query's table): it has at least one message matching `q`.
 *
 * On SQLite the plan depends on how common the words are, counted cheaply (up to a fifth of all messages):
 * - rare: look up the few conversations the matching messages belong to;
 * - common: walk the list in order and check each conversation's messages (read from the messages_conversation
 *   index, never the table) against the set of matching rowids, stopping at the page's end;
 * - in a fifth of all messages or more: building that set costs more than asking the index about each message of the
 *   first few dozen conversations in the list, nearly all of which match.
 * PostgreSQL cannot estimate how many messages a tsquery matches (it guessed 5,000 for a number in one message), so
 * it is asked the same way: up to `rareLimit` matches start from the GIN index; more walk the list and check each
 * conversation (`offset 0` keeps that check a per-row subplan instead of a join the planner would reorder).
 */
export const conversationMatches = async (db: AnyDb, q: SearchQuery, limits: { rare?: number; common?: number } = {}): Promise<RawBuilder<boolean>> => {
  const rareLimit = limits.rare ?? defaultRareLimit;
  if (!isSqlite(db)) {
    const probe = await sql<{ n: number }>`select count(*) as n from (select 1 from message_search where document @@ ${toTsquery(q)} limit ${rareLimit}) t`.execute(db);
    return Number(probe.rows[0]?.n ?? 0) < rareLimit
      ? sql<boolean>`conversations.id = any(array(select m.conversation_id from message_search s join messages m on m.id = s.message_id where s.document @@ ${toTsquery(q)}))`
      : sql<boolean>`exists (select 1 from messages m join message_search s on s.message_id = m.id where m.conversation_id = conversations.id and s.document @@ ${toTsquery(q)} offset 0)`;
  }
  const match = toFts5(q);
  const size = await sql<{ n: number | null }>`select max(rowid) as n from messages`.execute(db);
  const commonLimit = limits.common ?? Math.max(rareLimit * 4, Math.floor(Number(size.rows[0]?.n ?? 0) / 5));
  const probe = await sql<{ n: number }>`select count(*) as n from (select rowid from messages_fts where messages_fts match ${match} limit ${commonLimit})`.execute(db);
  const found = Number(probe.rows[0]?.n ?? 0);
  const matching = sql`select rowid from messages_fts where messages_fts match ${match}`;
  if (found < rareLimit) return sql<boolean>`conversations.id in (select m.conversation_id from messages m where m.rowid in (${matching}))`;
  if (found < commonLimit) return sql<boolean>`exists (select 1 from messages m where m.conversation_id = conversations.id and m.rowid in (${matching}))`;
  // CROSS JOIN keeps the message outside, so the index is asked about one rowid at a time.
  return sql<boolean>`exists (select 1 from messages m cross join messages_fts f where f.rowid = m.rowid and m.conversation_id = conversations.id and messages_fts match ${match})`;
};
