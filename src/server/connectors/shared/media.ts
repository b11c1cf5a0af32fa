import { checkMedia, type MediaProblem } from '../../../shared/channel-limits.js';
import { ConnectorError, type OutboundMedia, type OutboundMessage } from '../port.js';

/** Refuses a message with media on a connector that sends text only, before anything reaches the platform. */
export const refuseMedia = (message: OutboundMessage, platform: string): void => {
  if (message.media?.length) {
    throw new ConnectorError(`${platform}: Parley sends text only on this channel; the reply's ${message.media.length} attachment(s) cannot be delivered`, false, null, 'media_unsupported');
  }
};

/** The file as a Blob for a multipart form (fetch's FormData). */
export const mediaBlob = (media: { contentType: string; bytes: Buffer }): Blob => new Blob([new Uint8Array(media.bytes)], { type: media.contentType });

/** The outbound files checked against a channel's published media limits (src/shared/channel-limits.ts); empty means fine. */
export const outboundMediaProblems = (channelKey: string, media: readonly OutboundMedia[]): MediaProblem[] =>
  checkMedia(channelKey, media.map((m) => ({ contentType: m.contentType, size: m.bytes.length })));
