import type { AtpSessionData } from '@atproto/api';
import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { asArray, asNumber, asRecord, asString } from '../shared/json.js';
import { compileListeningFilter } from '../rss/listening-filter.js';
import { streamJetstream } from './jetstream.js';
import { createBlueskySender } from './send.js';

export { mapJetstreamEvent, parseAtUri, postUri } from './map.js';

/**
 * Config: `pdsUrl` (default https://bsky.social), `jetstreamUrl`, `brandDid` (else the session DID), `brandHandle`,
 * `listeningQueries` (string[], listening syntax), `listeningKeywords` (string[]), `rewindSeconds` (default 5), `backfillSeconds` (first start only; default 0 = live tail), `chatServiceDid`, `reconnectBaseMs`, `flushMs`.
 * Credentials: `identifier` (handle or email), `appPassword`, optional `session` (a saved AtpSessionData).
 */
export const createBlueskyAdapter: AdapterFactory = (channel): ChannelAdapter => {
  const { config, credentials } = channel;
  const savedSession = asRecord(credentials.session) as AtpSessionData | null;
  const sender = createBlueskySender({
    pdsUrl: asString(config.pdsUrl) ?? 'https://bsky.social',
    identifier: asString(credentials.identifier) ?? '',
    appPassword: asString(credentials.appPassword) ?? '',
    session: savedSession,
    chatServiceDid: asString(config.chatServiceDid) ?? undefined,
  });
  const strings = (value: unknown) => asArray(value).map(asString).filter((k): k is string => k !== null);

  return {
    platform: 'bluesky',
    channelId: channel.id,
    async stream(sink, cursor, signal) {
      // The brand DID filters the firehose; without it configured, the session tells us who we are.
      const brandDid = asString(config.brandDid) ?? (await sender.did());
      const rewindSeconds = asNumber(config.rewindSeconds) ?? 5;
      const matchesListening = compileListeningFilter(strings(config.listeningQueries), strings(config.listeningKeywords));
      await streamJetstream(
        {
          url: asString(config.jetstreamUrl) ?? 'wss://jetstream2.us-east.bsky.network',
          channelId: channel.id,
          brandDid,
          brandHandle: asString(config.brandHandle),
          ownDids: [...channel.ownAccountIds, brandDid],
          matchesListening,
          rewindUs: rewindSeconds * 1_000_000,
          backfillUs: (asNumber(config.backfillSeconds) ?? 0) * 1_000_000,
          reconnectBaseMs: asNumber(config.reconnectBaseMs) ?? 1000,
          flushMs: asNumber(config.flushMs) ?? 200,
        },
        sink,
        cursor,
        signal,
      );
    },
    send: (message) => sender.send(message),
    async test() {
      try {
        return { ok: true, detail: `signed in as ${await sender.did()}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
};
