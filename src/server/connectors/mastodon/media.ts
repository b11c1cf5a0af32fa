import { CHANNEL_LIMITS } from '../../../shared/channel-limits.js';
import { ConnectorError, type OutboundMedia } from '../port.js';
import { asRecord, asString } from '../shared/json.js';
import { mediaBlob } from '../shared/media.js';
import type { MastodonClient } from './client.js';

/** Mastodon's attachment cap on a status, from the shared channel limits. */
const MAX_MEDIA = CHANNEL_LIMITS.mastodon?.media?.maxCount ?? 4;

/**
 * Uploads files with POST /api/v2/media (multipart `file`) and returns their ids for `media_ids`. Videos and GIFs are
 * processed after the upload (202, url null): GET /api/v1/media/:id is polled until the url is there, since a status
 * naming unprocessed media is refused. Runs inside the send attempt, so a retry may upload again; the status itself is
 * still posted once (Idempotency-Key).
 */
export async function uploadMastodonMedia(client: MastodonClient, media: readonly OutboundMedia[], options: { pollMs?: number; maxPolls?: number } = {}): Promise<string[]> {
  if (media.length > MAX_MEDIA) throw new ConnectorError(`Mastodon takes at most ${MAX_MEDIA} attachments on a status`, false, null, 'too_many_media');
  const pollMs = options.pollMs ?? 1000;
  const maxPolls = options.maxPolls ?? 30;
  const ids: string[] = [];
  for (const file of media) {
    const form = new FormData();
    form.append('file', mediaBlob(file), file.filename);
    const uploaded = asRecord(await client.postForm('/api/v2/media', form));
    const id = asString(uploaded?.id);
    if (!id) throw new ConnectorError('Mastodon accepted the upload but returned no media id', true, 30_000, 'no_media_id');
    let ready = asString(uploaded?.url) !== null;
    for (let poll = 0; !ready && poll < maxPolls; poll++) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const { body } = await client.get(`/api/v1/media/${encodeURIComponent(id)}`);
      ready = asString(asRecord(body)?.url) !== null;
    }
    if (!ready) throw new ConnectorError(`Mastodon is still processing ${file.filename}; trying again later`, true, 60_000, 'media_processing');
    ids.push(id);
  }
  return ids;
}
