import { ConnectorError, type OutboundMedia } from '../port.js';
import { asNumber, asRecord, asString } from '../shared/json.js';
import { mediaBlob, outboundMediaProblems } from '../shared/media.js';
import type { XClient } from './client.js';

/** Bytes per APPEND segment (X takes up to 5 MB per segment). */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const MAX_STATUS_CHECKS = 60;

type Use = 'tweet' | 'dm';

const categoryOf = (contentType: string, use: Use): string =>
  `${use}_${contentType === 'image/gif' ? 'gif' : contentType.startsWith('video/') ? 'video' : 'image'}`;

/** Refuses what X cannot carry (the shared channel limits; one file in a DM) before anything is uploaded. */
export function checkXMedia(media: readonly OutboundMedia[], use: Use): void {
  if (use === 'dm' && media.length > 1) throw new ConnectorError('An X direct message carries one attachment', false, null, 'too_many_media');
  const problems = outboundMediaProblems('x', media);
  if (problems.length) throw new ConnectorError(`X cannot carry these attachments: ${problems.map((p) => p.message).join('; ')}`, false, null, 'media_limits');
}

const mediaIdOf = (json: unknown, action: string): string => {
  const id = asString(asRecord(asRecord(json)?.data)?.id);
  if (!id) throw new ConnectorError(`X answered ${action} without a media id`, true, 30_000, 'malformed_response');
  return id;
};

/** Waits out X's processing of a video or GIF (processing_info after FINALIZE, then STATUS checks). */
async function awaitProcessing(client: XClient, id: string, info: Record<string, unknown> | null, waitScale: number): Promise<void> {
  let processing = info;
  for (let checks = 0; processing; checks++) {
    const state = asString(processing.state);
    if (state === 'succeeded') return;
    if (state === 'failed') {
      const error = asRecord(processing.error);
      throw new ConnectorError(`X could not process the media: ${asString(error?.message) ?? asString(error?.name) ?? 'failed'}`, false, null, 'media_failed');
    }
    if (checks >= MAX_STATUS_CHECKS) throw new ConnectorError('X is still processing the media; trying again later', true, 60_000, 'media_processing');
    await new Promise((resolve) => setTimeout(resolve, (asNumber(processing?.check_after_secs) ?? 1) * 1000 * waitScale));
    const status = await client.call('user', 'GET', `/2/media/upload?command=STATUS&media_id=${encodeURIComponent(id)}`, 'check the media processing');
    processing = asRecord(asRecord(asRecord(status.json)?.data)?.processing_info);
  }
}

/**
 * Uploads files through X API v2 media upload and returns their media ids: images in one POST /2/media/upload
 * (multipart `media` + `media_category`), GIFs and videos in segments (initialize, append, finalize) and then awaited
 * until processed. Runs inside the send attempt; a retry may upload again, the post is still created once.
 */
export async function uploadXMedia(client: XClient, media: readonly OutboundMedia[], use: Use, options: { waitScale?: number } = {}): Promise<string[]> {
  checkXMedia(media, use);
  const ids: string[] = [];
  for (const file of media) {
    const category = categoryOf(file.contentType, use);
    if (category.endsWith('_image')) {
      const form = new FormData();
      form.append('media', mediaBlob(file), file.filename);
      form.append('media_category', category);
      ids.push(mediaIdOf((await client.call('user', 'POST', '/2/media/upload', 'upload the image', form)).json, 'the image upload'));
      continue;
    }
    const init = await client.call('user', 'POST', '/2/media/upload/initialize', 'start the media upload', { media_type: file.contentType, total_bytes: file.bytes.length, media_category: category });
    const id = mediaIdOf(init.json, 'initialize');
    for (let offset = 0, segment = 0; offset < file.bytes.length; offset += SEGMENT_BYTES, segment++) {
      const form = new FormData();
      form.append('media', mediaBlob({ contentType: 'application/octet-stream', bytes: file.bytes.subarray(offset, offset + SEGMENT_BYTES) }), file.filename);
      form.append('segment_index', String(segment));
      await client.call('user', 'POST', `/2/media/upload/${encodeURIComponent(id)}/append`, 'upload a media segment', form);
    }
    const finalized = await client.call('user', 'POST', `/2/media/upload/${encodeURIComponent(id)}/finalize`, 'finish the media upload');
    await awaitProcessing(client, id, asRecord(asRecord(asRecord(finalized.json)?.data)?.processing_info), options.waitScale ?? 1);
    ids.push(id);
  }
  return ids;
}
