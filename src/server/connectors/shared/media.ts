import { ConnectorError, type OutboundMessage } from '../port.js';

/** Refuses a message with media on a connector that sends text only, before anything reaches the platform. */
export const refuseMedia = (message: OutboundMessage, platform: string): void => {
  if (message.media?.length) {
    throw new ConnectorError(`${platform}: Parley sends text only on this channel; the reply's ${message.media.length} attachment(s) cannot be delivered`, false, null, 'media_unsupported');
  }
};

/** The file as a Blob for a multipart form (fetch's FormData). */
export const mediaBlob = (media: { contentType: string; bytes: Buffer }): Blob => new Blob([new Uint8Array(media.bytes)], { type: media.contentType });
