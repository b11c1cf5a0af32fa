/** Wire payloads the X fake emits, rebuilt from the documented field lists (CONNECTORS.md §1.3, §1.6). */

const epoch = 1288834974657n;
let sequence = 0n;

/** A snowflake-shaped id for "now", unique within the process. */
export function fakeXId(nowMs = Date.now()): string {
  sequence = (sequence + 1n) % 4096n;
  return (((BigInt(nowMs) - epoch) << 22n) | (1n << 12n) | sequence).toString();
}

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
  followers: number;
}

export const fakeCustomer: FakeXUser = { id: '42', username: 'cust', name: 'Cust Omer', followers: 1234 };
export const fakeBrand: FakeXUser = { id: '2244994945', username: 'acme', name: 'Acme', followers: 50_000 };

export interface FakeTweet {
  id: string;
  text: string;
  author: FakeXUser;
  inReplyTo?: { tweetId: string; userId: string } | null;
  conversationId?: string;
  /** Earlier versions of an edited post, oldest first (the first is the original id). */
  editOf?: string[];
  createdAt?: string;
}

/** One filtered-stream line object as X sends it. */
export function v2StreamLine(tweet: FakeTweet, ruleTag = 'parley:brand'): Record<string, unknown> {
  const v2User = (u: FakeXUser) => ({
    id: u.id,
    name: u.name,
    username: u.username,
    verified: false,
    public_metrics: { followers_count: u.followers, following_count: 10, tweet_count: 500, listed_count: 2, like_count: 80 },
  });
  return {
    data: {
      id: tweet.id,
      text: tweet.text,
      author_id: tweet.author.id,
      created_at: tweet.createdAt ?? new Date().toISOString(),
      conversation_id: tweet.conversationId ?? tweet.inReplyTo?.tweetId ?? tweet.id,
      edit_history_tweet_ids: [...(tweet.editOf ?? []), tweet.id],
      lang: 'en',
      ...(tweet.inReplyTo
        ? { referenced_tweets: [{ type: 'replied_to', id: tweet.inReplyTo.tweetId }], in_reply_to_user_id: tweet.inReplyTo.userId }
        : {}),
    },
    includes: { users: [v2User(tweet.author)] },
    matching_rules: [{ id: '1273026480692322304', tag: ruleTag }],
  };
}

/** An Account Activity tweet_create_events item in v1.1 shape (numeric `id` plus `id_str`). */
export function aaaTweet(tweet: FakeTweet, forUser: FakeXUser): Record<string, unknown> {
  return {
    id: Number(tweet.id),
    id_str: tweet.id,
    text: tweet.text,
    truncated: false,
    in_reply_to_status_id_str: tweet.inReplyTo?.tweetId ?? null,
    in_reply_to_user_id_str: tweet.inReplyTo?.userId ?? null,
    user: { id_str: tweet.author.id, screen_name: tweet.author.username, name: tweet.author.name, followers_count: tweet.author.followers },
    entities: { user_mentions: [{ id_str: forUser.id, screen_name: forUser.username }], urls: [], hashtags: [] },
    timestamp_ms: String(Date.now()),
    // v1.1 objects name an edit's chain: the first id is the original post.
    edit_history: { initial_tweet_id: tweet.editOf?.[0] ?? tweet.id, edit_tweet_ids: [...(tweet.editOf ?? []), tweet.id] },
  };
}

export function aaaTweetCreate(tweets: FakeTweet[], forUser: FakeXUser): Record<string, unknown> {
  return { for_user_id: forUser.id, user_has_blocked: false, tweet_create_events: tweets.map((t) => aaaTweet(t, forUser)) };
}

export function aaaTweetDelete(tweetId: string, userId: string, forUser: FakeXUser): Record<string, unknown> {
  return { for_user_id: forUser.id, tweet_delete_events: [{ status: { id: tweetId, user_id: userId }, timestamp_ms: String(Date.now()) }] };
}

export function aaaDirectMessage(
  message: { id: string; text: string; sender: FakeXUser; recipient: FakeXUser; sourceAppId?: string },
  forUser: FakeXUser,
): Record<string, unknown> {
  const user = (u: FakeXUser) => ({ id: u.id, screen_name: u.username, name: u.name, followers_count: u.followers });
  return {
    for_user_id: forUser.id,
    direct_message_events: [
      {
        type: 'message_create',
        id: message.id,
        created_timestamp: String(Date.now()),
        message_create: {
          target: { recipient_id: message.recipient.id },
          sender_id: message.sender.id,
          ...(message.sourceAppId ? { source_app_id: message.sourceAppId } : {}),
          message_data: { text: message.text, entities: { hashtags: [], symbols: [], urls: [], user_mentions: [] } },
        },
      },
    ],
    users: { [message.sender.id]: user(message.sender), [message.recipient.id]: user(message.recipient) },
  };
}
