/** Builds payloads in each platform's real wire format, so the demo exercises the same mappers as live traffic. */

const twitterEpoch = 1288834974657n;
let sequence = 0n;

/** An X snowflake id carrying its creation time, as X's own ids do (the X mapper reads the time back from it). */
export const xSnowflake = (ms: number): string => {
  sequence = (sequence + 1n) & 0xfffn;
  return String(((BigInt(ms) - twitterEpoch) << 22n) | (BigInt(ms % 1024) << 12n) | sequence);
};

export interface XUserSpec {
  id: string;
  username: string;
  name: string;
  followers: number;
  verified: boolean;
}

/** One X API v2 filtered-stream line: `{"data":{…},"includes":{"users":[…]},"matching_rules":[…]}`. */
export const xStreamLine = (p: { id: string; text: string; author: XUserSpec; at: number; brand: { id: string; username: string }; conversationId?: string; replyTo?: { id: string; userId: string } }): string => {
  const mention = `@${p.brand.username}`;
  const text = p.text.startsWith(mention) ? p.text : `${mention} ${p.text}`;
  return JSON.stringify({
    data: {
      id: p.id,
      text,
      author_id: p.author.id,
      conversation_id: p.conversationId ?? p.id,
      created_at: new Date(p.at).toISOString(),
      edit_history_tweet_ids: [p.id],
      lang: 'en',
      entities: { mentions: [{ start: 0, end: mention.length, username: p.brand.username, id: p.brand.id }] },
      ...(p.replyTo ? { in_reply_to_user_id: p.replyTo.userId, referenced_tweets: [{ type: 'replied_to', id: p.replyTo.id }] } : {}),
    },
    includes: { users: [{ id: p.author.id, username: p.author.username, name: p.author.name, verified: p.author.verified, public_metrics: { followers_count: p.author.followers, following_count: 180, tweet_count: 4200, listed_count: 3 } }] },
    matching_rules: [{ id: '1700000000000000001', tag: 'brand mentions' }],
  });
};

/** A Reddit listing child: a t3 post or a t1 comment under it. */
export const redditThing = (p: { id: string; author: string; at: number; subreddit: string; title?: string; body: string; linkId?: string; parentId?: string }): unknown => {
  const createdUtc = Math.floor(p.at / 1000);
  if (!p.linkId) {
    return { kind: 't3', data: { id: p.id, name: `t3_${p.id}`, author: p.author, author_fullname: `t2_${p.author.toLowerCase()}`, title: p.title ?? p.body.slice(0, 80), selftext: p.body, subreddit: p.subreddit, created_utc: createdUtc, edited: false, permalink: `/r/${p.subreddit}/comments/${p.id}/` } };
  }
  return { kind: 't1', data: { id: p.id, name: `t1_${p.id}`, author: p.author, author_fullname: `t2_${p.author.toLowerCase()}`, body: p.body, subreddit: p.subreddit, created_utc: createdUtc, edited: false, link_id: p.linkId, parent_id: p.parentId ?? p.linkId, permalink: `/r/${p.subreddit}/comments/${p.linkId.slice(3)}/_/${p.id}/` } };
};

const escapeHtml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A Mastodon Status entity as the REST API and the streaming `update`/`notification` events carry it. */
export const mastodonStatus = (p: { id: string; at: number; text: string; account: { id: string; acct: string; displayName: string; followers: number }; brandAcct: string; inReplyTo?: string }): unknown => ({
  id: p.id,
  created_at: new Date(p.at).toISOString(),
  in_reply_to_id: p.inReplyTo ?? null,
  in_reply_to_account_id: null,
  visibility: 'public',
  spoiler_text: '',
  sensitive: false,
  language: 'en',
  uri: `https://mastodon.example/users/${p.account.acct}/statuses/${p.id}`,
  url: `https://mastodon.example/@${p.account.acct}/${p.id}`,
  content: `<p><span class="h-card"><a href="https://social.example/@acme" class="u-url mention">@<span>${escapeHtml(p.brandAcct.split('@')[0] ?? 'acme')}</span></a></span> ${escapeHtml(p.text)}</p>`,
  account: { id: p.account.id, username: p.account.acct.split('@')[0], acct: p.account.acct, display_name: p.account.displayName, followers_count: p.account.followers, following_count: 90, statuses_count: 800 },
  media_attachments: [],
  mentions: [{ id: '109000000000000001', username: 'acme', acct: p.brandAcct }],
  reblog: null,
  edited_at: null,
});

/** A raw RFC 5322 message with CRLF line endings, as IMAP hands it over. */
export const rawEmail = (p: { messageId: string; from: { name: string; address: string }; to: string; subject: string; body: string; at: number; inReplyTo?: string; references?: string[] }): string => {
  const headers = [
    `From: "${p.from.name}" <${p.from.address}>`,
    `To: ${p.to}`,
    `Subject: ${p.subject}`,
    `Date: ${new Date(p.at).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${p.messageId}`,
    ...(p.inReplyTo ? [`In-Reply-To: ${p.inReplyTo}`] : []),
    ...(p.references?.length ? [`References: ${p.references.join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${p.body.replaceAll('\n', '\r\n')}\r\n`;
};
