import { ConnectorError } from '../port.js';
import type { OutboundMessage, SendResult } from '../port.js';
import { asArray, asRecord, asString } from '../shared/json.js';
import type { RedditClient } from './client.js';
import { refuseMedia } from '../shared/media.js';

/** Error codes of `json.errors` that a later retry can fix. */
const retryableCodes = new Set(['RATELIMIT']);

/** "try again in 7 minutes" / "in 30 seconds" → milliseconds. */
export function parseRedditRatelimitMessage(message: string): number | null {
  const match = /(\d+)\s*(second|minute|hour)/i.exec(message);
  if (!match) return null;
  const unit = match[2]!.toLowerCase();
  const factor = unit === 'second' ? 1000 : unit === 'minute' ? 60_000 : 3_600_000;
  return Number(match[1]) * factor;
}

/** Reddit reports API-level failures with HTTP 200 and `json.errors: [[code, message, field]]`. */
export function redditJsonError(body: unknown): ConnectorError | null {
  const errors = asArray(asRecord(asRecord(body)?.json)?.errors);
  const first = asArray(errors[0]);
  if (first.length === 0) return null;
  const code = asString(first[0]) ?? 'UNKNOWN';
  const message = asString(first[1]) ?? code;
  if (retryableCodes.has(code)) return new ConnectorError(`Reddit: ${message}`, true, parseRedditRatelimitMessage(message) ?? 60_000, code);
  return new ConnectorError(`Reddit refused the reply (${code}): ${message}`, false, null, code);
}

/** Replies with `/api/comment` (to a t1, t3 or t4 thing); a DM without a parent starts a chain with `/api/compose`. */
export async function sendReddit(client: RedditClient, message: OutboundMessage, webBaseUrl: string): Promise<SendResult> {
  refuseMedia(message, 'Reddit');
  const parent = message.inReplyToExternalId ?? null;
  if (parent) {
    if (!/^t[134]_[a-z0-9]+$/i.test(parent)) throw new ConnectorError(`Reddit can only reply to a comment, post or message fullname, not "${parent}"`, false, null, 'bad_parent');
    const body = await client.postForm('/api/comment', { api_type: 'json', thing_id: parent, text: message.text });
    const failure = redditJsonError(body);
    if (failure) throw failure;
    const thing = asRecord(asArray(asRecord(asRecord(asRecord(body)?.json)?.data)?.things)[0]);
    const data = asRecord(thing?.data);
    const name = asString(data?.name) ?? (asString(data?.id) ? `${asString(thing?.kind) ?? 't1'}_${asString(data?.id)}` : null);
    if (!name) throw new ConnectorError('Reddit accepted the reply but returned no thing id', true, 30_000, 'no_id');
    const permalink = asString(data?.permalink);
    return { platformMessageId: name, url: permalink ? `${webBaseUrl}${permalink}` : null };
  }
  const to = message.recipient?.handle ?? null;
  if (message.kind !== 'dm' || !to) throw new ConnectorError('A Reddit reply needs the fullname of the thing answered, and a new DM needs the recipient username', false, null, 'no_target');
  const body = await client.postForm('/api/compose', { api_type: 'json', to, subject: message.subject ?? 'Message from support', text: message.text });
  const failure = redditJsonError(body);
  if (failure) throw failure;
  // /api/compose returns no id for the new message; the idempotency key stands in, and the t4 echo never
  // comes back through the inbox (sent messages live in /message/sent, which we do not read).
  return { platformMessageId: `compose:${message.idempotencyKey}`, url: null };
}
