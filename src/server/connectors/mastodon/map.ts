import type { Envelope } from '../../../shared/envelope.js';
import { htmlToPlainText } from '../rss/html-text.js';
import { asArray, asCount, asRecord, asString, isoFromDateString, parseJsonValue } from '../shared/json.js';

export interface MastodonMapOptions {
  /** Our own account ids: statuses they author are echoes of our sends. */
  ownAccountIds?: readonly string[];
}

/** Status HTML (always sanitised server-side, but still markup) to plain text. */
export function mastodonHtmlToText(html: string): string {
  return htmlToPlainText(html);
}

function attachmentType(type: string | null): string | null {
  if (type === 'image') return 'image/*';
  if (type === 'video' || type === 'gifv') return 'video/*';
  if (type === 'audio') return 'audio/*';
  return null;
}

/** Maps a Mastodon Status to an Envelope; boosts and our own statuses give null. */
export function mapMastodonStatus(status: unknown, channelId: string, options: MastodonMapOptions = {}): Envelope | null {
  const s = asRecord(status);
  const account = asRecord(s?.account);
  const id = asString(s?.id);
  const accountId = asString(account?.id);
  const createdAt = isoFromDateString(s?.created_at);
  if (!s || !account || !id || !accountId || !createdAt) return null;
  if (s.reblog) return null;
  if (options.ownAccountIds?.includes(accountId)) return null;
  const visibility = asString(s.visibility) ?? 'public';
  const isPrivate = visibility === 'direct' || visibility === 'private';
  const inReplyTo = asString(s.in_reply_to_id);
  const spoiler = asString(s.spoiler_text);
  return {
    channelId,
    externalId: id,
    kind: visibility === 'direct' ? 'dm' : inReplyTo ? 'reply' : 'post',
    visibility: isPrivate ? 'private' : 'public',
    author: {
      platformId: accountId,
      handle: asString(account.acct),
      displayName: asString(account.display_name),
      followers: asCount(account.followers_count),
      verified: null,
    },
    text: mastodonHtmlToText(asString(s.content) ?? ''),
    // The content warning is the author's own headline for the post.
    subject: spoiler,
    attachments: asArray(s.media_attachments).flatMap((m) => {
      const media = asRecord(m);
      if (!media) return [];
      return [{ url: asString(media.url), contentType: attachmentType(asString(media.type)), name: asString(media.description)?.slice(0, 512) ?? null }];
    }),
    inReplyTo,
    // Statuses carry no thread root; correlation follows inReplyTo. A DM thread is keyed by its first status.
    threadKey: null,
    url: asString(s.url) ?? asString(s.uri),
    createdAt,
    listening: null,
    editedAt: isoFromDateString(s.edited_at),
    raw: status,
  };
}

/** Only `mention` notifications matter for support; everything else (favourites, follows, boosts) gives null. */
export function mapMastodonNotification(notification: unknown, channelId: string, options: MastodonMapOptions = {}): Envelope | null {
  const n = asRecord(notification);
  if (!n || n.type !== 'mention') return null;
  const envelope = mapMastodonStatus(n.status, channelId, options);
  return envelope ? { ...envelope, listening: false } : null;
}

export type MastodonStreamEvent =
  | { type: 'notification'; id: string; envelope: Envelope | null }
  | { type: 'edit'; envelope: Envelope | null }
  | { type: 'delete'; statusId: string }
  | { type: 'status'; stream: string[]; envelope: Envelope | null }
  | { type: 'ignored'; event: string };

/** One WebSocket frame `{stream, event, payload}`; the payload is a JSON string except for `delete` (a bare id). */
export function mapMastodonStreamFrame(frame: unknown, channelId: string, options: MastodonMapOptions = {}): MastodonStreamEvent {
  const f = asRecord(parseJsonValue(frame));
  const event = asString(f?.event) ?? 'unknown';
  if (event === 'delete') {
    const statusId = asString(f?.payload);
    return statusId ? { type: 'delete', statusId } : { type: 'ignored', event };
  }
  const payload = parseJsonValue(f?.payload);
  if (event === 'notification') {
    const id = asString(asRecord(payload)?.id);
    return id ? { type: 'notification', id, envelope: mapMastodonNotification(payload, channelId, options) } : { type: 'ignored', event };
  }
  if (event === 'status.update') return { type: 'edit', envelope: mapMastodonStatus(payload, channelId, options) };
  if (event === 'update') return { type: 'status', stream: asArray(f?.stream).map((s) => String(s)), envelope: mapMastodonStatus(payload, channelId, options) };
  return { type: 'ignored', event };
}

/** Mastodon ids are decimal strings that may exceed 2^53: compare by length, then lexically. */
export function compareMastodonIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
