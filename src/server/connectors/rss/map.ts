import { createHash } from 'node:crypto';
import Parser from 'rss-parser';
import type { Envelope } from '../../../shared/envelope.js';
import { isoFromDateString } from '../shared/json.js';
import { htmlToPlainText } from './html-text.js';

/** One feed entry as rss-parser normalises RSS 0.9/1.0/2.0 and Atom (plus Atom `updated`). */
export interface FeedItem {
  guid?: string;
  id?: string;
  link?: string;
  title?: string;
  creator?: string;
  author?: string;
  content?: string;
  contentSnippet?: string;
  summary?: string;
  isoDate?: string;
  pubDate?: string;
  updated?: string;
  categories?: string[];
  enclosure?: { url: string; type?: string; length?: number };
}

export interface FeedSource {
  url: string;
  title?: string | null;
}

type CustomItem = { updated?: string; 'content:encoded'?: string };
const parser: Parser<Record<string, unknown>, CustomItem> = new Parser({ customFields: { item: ['updated', 'content:encoded'] } });

/** Parses an RSS or Atom document (throws on malformed XML). */
export async function parseFeed(xml: string): Promise<{ title: string | null; items: FeedItem[] }> {
  const feed = await parser.parseString(xml);
  return {
    title: feed.title ?? null,
    items: feed.items.map((item) => ({ ...item, content: item['content:encoded'] ?? item.content })),
  };
}

function hashed(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 40);
}

/** The item's identity: guid (RSS) or id (Atom), else the link, else a hash of title and date. Capped for the store. */
export function feedItemKey(item: FeedItem): string {
  const key = item.guid ?? item.id ?? item.link ?? `h:${hashed(`${item.title ?? ''}\n${item.isoDate ?? item.pubDate ?? ''}`)}`;
  return key.length <= 256 ? key : `h:${hashed(key)}`;
}

/** Fingerprint of what a reader sees: a change under the same key is an edit. */
export function feedItemVersion(item: FeedItem): string {
  return hashed(`${item.title ?? ''}\n${item.content ?? item.summary ?? item.contentSnippet ?? ''}`);
}

function bodyText(item: FeedItem): string {
  const html = item.content ?? item.summary;
  if (html) return htmlToPlainText(html);
  return (item.contentSnippet ?? '').trim();
}

/** Maps one feed item (a blog post, forum thread, review) to a listening Envelope; null when it has no usable identity or date. */
export function mapRssItem(item: FeedItem, channelId: string, source: FeedSource, options: { editedAt?: string | null; nowIso?: string } = {}): Envelope | null {
  const key = feedItemKey(item);
  const createdAt = isoFromDateString(item.isoDate) ?? isoFromDateString(item.pubDate) ?? isoFromDateString(item.updated) ?? options.nowIso ?? null;
  if (!createdAt) return null;
  const author = item.creator ?? item.author ?? null;
  let host = source.url;
  try {
    host = new URL(source.url).host;
  } catch {
    // A relative or odd URL keeps its text as the author id.
  }
  const title = item.title?.trim() ?? null;
  const body = bodyText(item);
  return {
    channelId,
    externalId: key,
    kind: 'post',
    visibility: 'public',
    author: { platformId: `${host}:${(author ?? source.title ?? host).slice(0, 200)}`, handle: author, displayName: author ?? source.title ?? null, followers: null, verified: null },
    text: [title, body].filter((part) => part && part.length > 0).join('\n\n').slice(0, 100_000),
    subject: title?.slice(0, 1000) ?? null,
    attachments: item.enclosure?.url ? [{ url: item.enclosure.url, contentType: item.enclosure.type ?? null, name: null, size: item.enclosure.length ? Math.floor(Number(item.enclosure.length)) || null : null }] : [],
    inReplyTo: null,
    threadKey: key,
    url: item.link ?? null,
    createdAt,
    listening: true,
    editedAt: options.editedAt ?? null,
    raw: { feed: source.url, guid: item.guid ?? item.id ?? null, link: item.link ?? null, categories: item.categories ?? [] },
  };
}
