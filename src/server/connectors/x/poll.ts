import type { Envelope } from '../../../shared/envelope.js';
import type { Cursor, PollResult } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import type { XClient } from './client.js';
import { mapXDirectMessage, mapXV2StreamLine } from './map.js';

/** Where the mentions timeline and the DM event list resume: the newest id seen on each. */
interface XPollCursor {
  mentions: string | null;
  dms: string | null;
}

export interface XPollOptions {
  channelId: string;
  /** Our X user id: whose mentions to read. */
  accountId: string | null;
  ownUserIds: string[];
  includeMentions: boolean;
  includeDms: boolean;
  /**
   * Pages per source per poll. The mentions timeline only serves the newest 800 posts, so 8 pages
   * of 100 read it whole; a DM backlog beyond this many pages between two polls would be skipped.
   */
  maxPages?: number;
  pageSize?: number;
}

const tweetFields = 'created_at,conversation_id,in_reply_to_user_id,referenced_tweets,entities,lang,edit_history_tweet_ids,note_tweet';
const userFields = 'username,name,public_metrics,verified,verified_type';

function readCursor(cursor: Cursor): XPollCursor {
  const parsed = asRecord(cursor ? (JSON.parse(cursor) as unknown) : null);
  return { mentions: asString(parsed?.mentions), dms: asString(parsed?.dms) };
}

const newer = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : BigInt(a) >= BigInt(b) ? a : b);
const byId = (a: { id: string }, b: { id: string }) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

async function pollMentions(client: XClient, options: XPollOptions, since: string | null): Promise<{ items: { id: string; envelope: Envelope }[]; newest: string | null }> {
  const items: { id: string; envelope: Envelope }[] = [];
  let newest = since;
  let token: string | null = null;
  for (let page = 0; page < (options.maxPages ?? 8); page += 1) {
    const query = new URLSearchParams({
      max_results: String(options.pageSize ?? 100),
      expansions: 'author_id,referenced_tweets.id,in_reply_to_user_id',
      'tweet.fields': tweetFields,
      'user.fields': userFields,
    });
    if (since) query.set('since_id', since);
    if (token) query.set('pagination_token', token);
    const response = await client.call('user', 'GET', `/2/users/${encodeURIComponent(options.accountId ?? '')}/mentions?${query}`, 'read mentions');
    const body = asRecord(response.json);
    for (const tweet of asArray(body?.data)) {
      const id = asString(asRecord(tweet)?.id);
      if (!id) continue;
      newest = newer(newest, id);
      const envelope = mapXV2StreamLine({ data: tweet, includes: body?.includes }, options.channelId, { ownUserIds: options.ownUserIds });
      if (envelope) items.push({ id, envelope });
    }
    token = asString(asRecord(body?.meta)?.next_token);
    if (!token) break;
  }
  return { items, newest };
}

async function pollDms(client: XClient, options: XPollOptions, since: string | null): Promise<{ items: { id: string; envelope: Envelope }[]; newest: string | null }> {
  const items: { id: string; envelope: Envelope }[] = [];
  let newest = since;
  let token: string | null = null;
  // dm_events has no since_id: pages run newest first, so stop at the first event already seen.
  pages: for (let page = 0; page < (options.maxPages ?? 8); page += 1) {
    const query = new URLSearchParams({
      'dm_event.fields': 'id,text,event_type,created_at,sender_id,dm_conversation_id,participant_ids,attachments',
      event_types: 'MessageCreate',
      expansions: 'sender_id',
      'user.fields': userFields,
      max_results: String(options.pageSize ?? 100),
    });
    if (token) query.set('pagination_token', token);
    const response = await client.call('user', 'GET', `/2/dm_events?${query}`, 'read direct messages');
    const body = asRecord(response.json);
    for (const event of asArray(body?.data)) {
      const id = asString(asRecord(event)?.id);
      if (!id) continue;
      if (since && BigInt(id) <= BigInt(since)) break pages;
      newest = newer(newest, id);
      const envelope = mapXDirectMessage(event, options.channelId, { ownUserIds: options.ownUserIds, includes: body?.includes });
      if (envelope) items.push({ id, envelope });
    }
    token = asString(asRecord(body?.meta)?.next_token);
    if (!token) break;
  }
  return { items, newest };
}

/**
 * Poll the mentions timeline and DM events since the saved cursor: the fallback when the
 * filtered stream and Account Activity are not available on the account's tier.
 */
export async function pollX(client: XClient, options: XPollOptions, cursor: Cursor): Promise<PollResult> {
  const from = readCursor(cursor);
  const mentions = options.includeMentions && options.accountId ? await pollMentions(client, options, from.mentions) : { items: [], newest: from.mentions };
  const dms = options.includeDms ? await pollDms(client, options, from.dms) : { items: [], newest: from.dms };
  const items = [...mentions.items, ...dms.items].sort(byId);
  return {
    envelopes: items.map((item) => item.envelope),
    deletions: [],
    cursor: JSON.stringify({ mentions: mentions.newest, dms: dms.newest }),
  };
}
