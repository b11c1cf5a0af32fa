import type { Envelope } from '../../../shared/envelope.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import type { XClient } from './client.js';
import { xSnowflakeTime } from './ids.js';
import { mapXV2StreamLine } from './map.js';
import type { XMapOptions } from './map.js';
import { listXStreamRules } from './rules.js';

export interface XRecoveryOptions {
  channelId: string;
  mapOptions?: XMapOptions;
  /** search/recent query length limit (512 on self-serve tiers, 4096 on Pro and Enterprise). */
  maxQueryLength?: number;
  /** Pages of 100 per query; a bigger gap than this is reported as truncated. */
  maxPages?: number;
  now?: () => number;
}

export interface XRecoveryResult {
  /** Oldest first. */
  envelopes: Envelope[];
  /** Newest post id seen (also of posts that map to nothing, such as our own), or null when none. */
  newestId: string | null;
  /** Posts may be missing: the gap held more than maxPages per query, or predates search's seven days. */
  truncated: boolean;
  queries: number;
}

const searchWindowMs = 7 * 24 * 3_600_000;

/** OR the rule values into as few search queries as fit the length limit; a rule longer than the limit goes alone. */
export function xRecoveryQueries(values: string[], maxLength: number): string[] {
  const queries: string[] = [];
  let current = '';
  for (const value of values) {
    const clause = values.length > 1 ? `(${value})` : value;
    const joined = current ? `${current} OR ${clause}` : clause;
    if (current && joined.length > maxLength) {
      queries.push(current);
      current = clause;
    } else current = joined;
  }
  if (current) queries.push(current);
  return queries;
}

const bigger = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : BigInt(a) >= BigInt(b) ? a : b);

/**
 * Fetch what the filtered stream carried while we were not connected: the app's stream rules, ORed into
 * search/recent queries, `since_id` the newest post we durably stored (CONNECTORS.md §1.3: the stream itself has
 * no replay below the backfill tiers). Matches are marked as rule matches, as the stream marks them.
 */
export async function recoverXStreamGap(client: XClient, options: XRecoveryOptions, sinceId: string): Promise<XRecoveryResult> {
  const now = options.now ?? Date.now;
  const rules = await listXStreamRules(client);
  const queries = xRecoveryQueries(
    rules.map((r) => r.value),
    options.maxQueryLength ?? 512,
  );
  const sinceMs = Date.parse(xSnowflakeTime(sinceId) ?? '') || 0;
  // search/recent refuses a since_id older than its window; start at the window's edge instead.
  const tooOld = sinceMs < now() - searchWindowMs + 60_000;
  const byId = new Map<string, Envelope>();
  let newestId: string | null = null;
  let truncated = tooOld;
  for (const query of queries) {
    let token: string | null = null;
    let page = 0;
    do {
      const params = new URLSearchParams({
        query,
        max_results: '100',
        expansions: 'author_id,referenced_tweets.id,in_reply_to_user_id,attachments.media_keys',
        'tweet.fields': 'created_at,conversation_id,in_reply_to_user_id,referenced_tweets,entities,lang,edit_history_tweet_ids,note_tweet,attachments',
        'user.fields': 'username,name,public_metrics,verified,verified_type',
        'media.fields': 'url,preview_image_url,type',
      });
      if (tooOld) params.set('start_time', new Date(now() - searchWindowMs + 60_000).toISOString());
      else params.set('since_id', sinceId);
      if (token) params.set('next_token', token);
      const response = await client.call('app', 'GET', `/2/tweets/search/recent?${params}`, 'recover posts missed while the stream was down');
      const body = asRecord(response.json);
      for (const tweet of asArray(body?.data)) {
        const id = asString(asRecord(tweet)?.id);
        if (!id) continue;
        newestId = bigger(newestId, id);
        const envelope = mapXV2StreamLine({ data: tweet, includes: body?.includes, matching_rules: [{ tag: 'parley:recovery' }] }, options.channelId, options.mapOptions);
        if (envelope) byId.set(id, envelope);
      }
      token = asString(asRecord(body?.meta)?.next_token);
      page += 1;
    } while (token && page < (options.maxPages ?? 10));
    if (token) truncated = true;
  }
  const envelopes = [...byId.entries()].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1)).map(([, e]) => e);
  return { envelopes, newestId, truncated, queries: queries.length };
}
