import type { AtpSessionData } from '@atproto/api';
import { strictGuardedHttp } from '../../platform/guarded-http.js';
import type { AdapterFactory, ChannelAdapter } from '../port.js';
import { parseChannelSettings } from '../shared/channel-config.js';
import { compileListeningFilter } from '../rss/listening-filter.js';
import { streamJetstream } from './jetstream.js';
import { createBlueskySender } from './send.js';
import { blueskyConfigSchema, blueskyCredentialsSchema } from './settings.js';

export { mapJetstreamEvent, parseAtUri, postUri } from './map.js';

/**
 * Config: `pdsUrl` (default https://bsky.social), `jetstreamUrl`, `brandDid` (else the session DID), `brandHandle`,
 * `listeningQueries` (string[], listening syntax), `listeningKeywords` (string[]), `rewindSeconds` (default 5), `backfillSeconds` (first start only; default 0 = live tail), `chatServiceDid`, `reconnectBaseMs`, `flushMs`.
 * Credentials: `identifier` (handle or email), `appPassword`, `session` (the AtpSessionData Parley saves on login and refresh).
 */
export const createBlueskyAdapter: AdapterFactory = (channel, context): ChannelAdapter => {
  const config = parseChannelSettings(blueskyConfigSchema, channel.config, 'bluesky config');
  const credentials = parseChannelSettings(blueskyCredentialsSchema, channel.credentials, 'bluesky credentials');
  // Sessions are persisted sealed with the channel's credentials: createSession is limited to 30 per 5 minutes
  // and 300 a day, so a restart resumes the stored session (refreshing it if the access JWT lapsed) instead.
  const store = channel.credentialStore;
  let saving: Promise<void> = Promise.resolve();
  const sender = createBlueskySender({
    pdsUrl: config.pdsUrl,
    identifier: credentials.identifier,
    appPassword: credentials.appPassword,
    session: (credentials.session as AtpSessionData | null | undefined) ?? null,
    chatServiceDid: config.chatServiceDid,
    // The PDS and Jetstream hosts are URLs an admin chose: every connection goes through the private-address guard.
    fetch: context?.fetch ?? strictGuardedHttp().fetch,
    ...(store
      ? {
          onSession: (session: AtpSessionData | null) => {
            // In order, so an older session never overwrites a newer one; a failed write keeps the last good one.
            saving = saving.then(() => store.save({ session })).catch(() => undefined);
          },
          sessionSaved: () => saving,
        }
      : {}),
  });

  return {
    platform: 'bluesky',
    channelId: channel.id,
    async stream(sink, cursor, signal) {
      // The brand DID filters the firehose; without it configured, the session tells us who we are.
      const brandDid = config.brandDid ?? (await sender.did());
      await streamJetstream(
        {
          url: config.jetstreamUrl,
          channelId: channel.id,
          brandDid,
          brandHandle: config.brandHandle ?? null,
          ownDids: [...channel.ownAccountIds, brandDid],
          matchesListening: compileListeningFilter(config.listeningQueries, config.listeningKeywords),
          rewindUs: config.rewindSeconds * 1_000_000,
          backfillUs: config.backfillSeconds * 1_000_000,
          reconnectBaseMs: config.reconnectBaseMs,
          flushMs: config.flushMs,
          socketOptions: context?.socketOptions ?? strictGuardedHttp().socketOptions,
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
