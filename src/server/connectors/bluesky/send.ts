import { AtpAgent, RichText } from '@atproto/api';
import type { AtpSessionData } from '@atproto/api';
import { privateAddressRefusalOf } from '../../platform/guarded-http.js';
import { ConnectorError } from '../port.js';
import type { OutboundMessage, SendResult } from '../port.js';
import type { MediaProblem } from '../../../shared/channel-limits.js';
import { asRecord, asString } from '../shared/json.js';
import { outboundMediaProblems } from '../shared/media.js';
import { parseRateLimitHeaders } from '../shared/rate-limit.js';
import { parseAtUri } from './map.js';

export interface BlueskySender {
  send(message: OutboundMessage): Promise<SendResult>;
  /** Logs in (or reuses the session) and returns our DID. */
  did(): Promise<string>;
}

export interface BlueskySenderOptions {
  pdsUrl: string;
  identifier: string;
  appPassword: string;
  /** Saved session to resume instead of a new createSession (limited to 30 per 5 minutes per account). */
  session?: AtpSessionData | null;
  /** Called on login, refresh (tokens rotate) and expiry (null), in that order. */
  onSession?: (session: AtpSessionData | null) => void;
  /** Resolves once the sessions reported so far are stored; sends wait for it so a rotated refresh JWT is durable first. */
  sessionSaved?: () => Promise<void>;
  /** Chat service DID for `atproto-proxy` on `chat.bsky.convo.*`. */
  chatServiceDid?: string;
  /** The guarded fetch: the PDS (configured, or named by the account's DID document) is checked at connect time. */
  fetch: typeof fetch;
}

const maxGraphemes = 300;
/** ConnectorError codes for the shared media-limit problems (src/shared/channel-limits.ts holds Bluesky's limits). */
const problemCodes: Readonly<Record<MediaProblem['code'], string>> = {
  no_media: 'media_unsupported',
  too_many: 'too_many_media',
  type: 'media_type',
  too_large: 'media_too_large',
  total_too_large: 'media_too_large',
  not_alone: 'too_many_media',
};

/** Refuses media a Bluesky post cannot carry, before anything is uploaded or posted. */
function checkBlueskyMedia(message: OutboundMessage): void {
  const media = message.media ?? [];
  if (media.length === 0) return;
  if (message.kind === 'dm') throw new ConnectorError('Bluesky chat messages carry text only; send the files in a public reply or by email', false, null, 'media_unsupported');
  const [first, ...rest] = outboundMediaProblems('bluesky', media);
  if (first) throw new ConnectorError(`Bluesky cannot carry these attachments: ${[first, ...rest].map((p) => p.message).join('; ')}`, false, null, problemCodes[first.code]);
}

/** Maps an XRPC failure (`XRPCError` has `status`, `error` and `headers`) to a ConnectorError. */
export function blueskyError(error: unknown, what: string, nowMs = Date.now()): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const refused = privateAddressRefusalOf(error);
  if (refused) return new ConnectorError(`Bluesky refused (${what}): ${refused.message}`, false, null, 'private_address');
  const e = asRecord(error);
  const status = typeof e?.status === 'number' ? e.status : 0;
  const name = asString(e?.error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (status === 429) {
    const headers = (asRecord(e?.headers) ?? {}) as Record<string, string | undefined>;
    const resetAtMs = parseRateLimitHeaders('bluesky', headers, nowMs).resetAtMs;
    const retryAfterMs = resetAtMs === null ? 60_000 : Math.max(0, resetAtMs - nowMs);
    return new ConnectorError(`Bluesky rate limit reached (${what})`, true, retryAfterMs, name);
  }
  if (status >= 500 || status === 1 || status === 0) return new ConnectorError(`Bluesky unavailable (${what}): ${message}`, true, 30_000, name);
  if (status === 401 || name === 'AuthenticationRequired' || name === 'AuthFactorTokenRequired') {
    return new ConnectorError(`Bluesky refused the app password (${what}): check the handle and app password`, false, null, name);
  }
  return new ConnectorError(`Bluesky refused the request (${what}): ${name}: ${message}`, false, null, name);
}

export function createBlueskySender(options: BlueskySenderOptions): BlueskySender {
  const agent = new AtpAgent({
    service: options.pdsUrl,
    fetch: options.fetch,
    // Tokens rotate on refresh; the caller stores them so a restart resumes instead of logging in again.
    persistSession: (_event, session) => options.onSession?.(session ?? null),
  });
  let ready: Promise<string> | null = null;

  function ensureSession(): Promise<string> {
    ready ??= (async () => {
      if (options.session) {
        try {
          await agent.resumeSession(options.session);
          return agent.session!.did;
        } catch {
          // A stale saved session falls through to a fresh login.
        }
      }
      await agent.login({ identifier: options.identifier, password: options.appPassword });
      return agent.session!.did;
    })().catch((error: unknown) => {
      ready = null;
      throw blueskyError(error, 'login');
    });
    return ready;
  }

  async function reply(message: OutboundMessage, did: string): Promise<SendResult> {
    const rt = new RichText({ text: message.text });
    if (rt.graphemeLength > maxGraphemes) throw new ConnectorError(`Bluesky posts are limited to ${maxGraphemes} characters (this one has ${rt.graphemeLength})`, false, null, 'too_long');
    rt.detectFacetsWithoutResolution();
    // Unresolved mentions carry a handle where a DID belongs; keep only the customer's, whose DID we know.
    const recipientDid = message.recipient?.platformId ?? null;
    const recipientHandle = message.recipient?.handle?.replace(/^@/, '') ?? null;
    rt.facets = rt.facets
      ?.map((facet) => ({
        ...facet,
        features: facet.features.flatMap((f) => {
          if (f.$type !== 'app.bsky.richtext.facet#mention') return [f];
          const handle = (f as { did: string }).did;
          if (handle.startsWith('did:')) return [f];
          return recipientDid && recipientHandle === handle ? [{ ...f, did: recipientDid }] : [];
        }),
      }))
      .filter((facet) => facet.features.length > 0);
    let replyRef: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } } | undefined;
    if (message.inReplyToExternalId) {
      const parts = parseAtUri(message.inReplyToExternalId);
      if (!parts) throw new ConnectorError(`Bluesky can only reply to a post AT-URI, not "${message.inReplyToExternalId}"`, false, null, 'bad_parent');
      // Both refs need the cid: read the parent record, whose own reply.root is the thread root.
      const { data } = await agent.com.atproto.repo.getRecord({ repo: parts.did, collection: parts.collection, rkey: parts.rkey });
      const parent = { uri: data.uri, cid: data.cid ?? '' };
      const root = asRecord(asRecord(asRecord(data.value)?.reply)?.root);
      const rootUri = asString(root?.uri);
      const rootCid = asString(root?.cid);
      replyRef = { root: rootUri && rootCid ? { uri: rootUri, cid: rootCid } : parent, parent };
    }
    // Images go up as blobs first (com.atproto.repo.uploadBlob); the post embeds them (app.bsky.embed.images).
    const images = [];
    for (const m of message.media ?? []) {
      const { data } = await agent.uploadBlob(new Uint8Array(m.bytes), { encoding: m.contentType });
      images.push({ alt: '', image: data.blob });
    }
    const embed = images.length ? { $type: 'app.bsky.embed.images', images } : undefined;
    const created = await agent.post({ text: rt.text, facets: rt.facets, reply: replyRef, ...(embed ? { embed } : {}), createdAt: new Date().toISOString() });
    const rkey = parseAtUri(created.uri)?.rkey ?? '';
    return { platformMessageId: created.uri, url: `https://bsky.app/profile/${did}/post/${rkey}` };
  }

  async function directMessage(message: OutboundMessage): Promise<SendResult> {
    const member = message.recipient?.platformId;
    if (!member?.startsWith('did:')) throw new ConnectorError('A Bluesky DM needs the recipient DID', false, null, 'no_recipient');
    const chat = agent.withProxy('bsky_chat', options.chatServiceDid ?? 'did:web:api.bsky.chat');
    const { data: convo } = await chat.chat.bsky.convo.getConvoForMembers({ members: [member] });
    const { data: sent } = await chat.chat.bsky.convo.sendMessage({ convoId: convo.convo.id, message: { text: message.text } });
    return { platformMessageId: `${convo.convo.id}/${sent.id}`, url: null };
  }

  return {
    async did() {
      const did = await ensureSession();
      await options.sessionSaved?.();
      return did;
    },
    async send(message) {
      checkBlueskyMedia(message);
      const did = await ensureSession();
      try {
        return message.kind === 'dm' ? await directMessage(message) : await reply(message, did);
      } catch (error) {
        throw blueskyError(error, message.kind === 'dm' ? 'chat.bsky.convo.sendMessage' : 'createRecord');
      } finally {
        await options.sessionSaved?.();
      }
    },
  };
}
