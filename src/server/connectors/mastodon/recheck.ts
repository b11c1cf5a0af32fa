import type { Envelope } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { Deletion } from '../port.js';
import { asRecord, asString } from '../shared/json.js';
import type { MastodonClient } from './client.js';
import { mapMastodonStatus } from './map.js';

/** A mention we ingested and still watch for edits and deletes: [status id, edited_at seen (or null), created ms]. */
export type WatchedStatus = [string, string | null, number];

/** How many recent mentions a cursor remembers, and for how long. */
const maxWatched = 50;
const watchMs = 7 * 24 * 3_600_000;

/** Remember a mention (or its newer edit), newest last, within the caps. */
export function watchStatus(watched: WatchedStatus[], envelope: Envelope, now: number): WatchedStatus[] {
  const createdMs = Date.parse(envelope.createdAt) || now;
  const rest = watched.filter(([id]) => id !== envelope.externalId);
  return [...rest, [envelope.externalId, envelope.editedAt ?? null, createdMs] as WatchedStatus].filter(([, , at]) => now - at < watchMs).slice(-maxWatched);
}

export function forgetStatus(watched: WatchedStatus[], statusId: string): WatchedStatus[] {
  return watched.filter(([id]) => id !== statusId);
}

/**
 * Edits and deletes reach us only as stream frames: when the stream was down they are gone. On each catch-up the
 * newest watched mentions are read again (`GET /api/v1/statuses/:id`): a 404 is a delete, a newer `edited_at` an
 * edit. At most `limit` reads per catch-up, against a limit of 300 calls per 5 minutes.
 */
export async function recheckWatched(
  client: MastodonClient,
  watched: WatchedStatus[],
  options: { channelId: string; ownAccountIds: readonly string[]; limit: number; now: number; signal?: AbortSignal },
): Promise<{ envelopes: Envelope[]; deletions: Deletion[]; watched: WatchedStatus[] }> {
  const envelopes: Envelope[] = [];
  const deletions: Deletion[] = [];
  let next = watched.filter(([, , at]) => options.now - at < watchMs);
  for (const [id, seenEditedAt] of next.slice(-options.limit).reverse()) {
    let status: unknown;
    try {
      status = (await client.get(`/api/v1/statuses/${encodeURIComponent(id)}`, [], options.signal)).body;
    } catch (error) {
      if (error instanceof ConnectorError && error.platformCode === 'http_404') {
        deletions.push({ channelId: options.channelId, externalId: id });
        next = forgetStatus(next, id);
        continue;
      }
      throw error;
    }
    const editedAt = asString(asRecord(status)?.edited_at);
    if (editedAt && editedAt !== seenEditedAt) {
      const envelope = mapMastodonStatus(status, options.channelId, { ownAccountIds: options.ownAccountIds });
      if (envelope) {
        envelopes.push(envelope);
        next = watchStatus(next, envelope, options.now);
      }
    }
  }
  return { envelopes, deletions, watched: next };
}
