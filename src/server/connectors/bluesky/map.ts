import type { Envelope } from '../../../shared/envelope.js';
import type { Deletion } from '../port.js';
import { asArray, asNumber, asRecord, asString, isoFromDateString, isoFromMs, parseJsonValue } from '../shared/json.js';
import type { JsonRecord } from '../shared/json.js';

export const postCollection = 'app.bsky.feed.post';

export interface JetstreamMapOptions {
  /** The brand account: mentions of this DID or handle, and replies to its posts, are addressed to us. */
  brandDid: string;
  brandHandle?: string | null;
  /** Our own DIDs: their commits are echoes of our sends. */
  ownDids?: readonly string[];
  /** Listening rules; a match outside a mention is delivered with `listening: true`. */
  matchesListening?: ((message: { text: string; language?: string | null; authorHandle?: string | null }) => boolean) | null;
}

export type JetstreamMapped =
  | { type: 'envelope'; timeUs: number; envelope: Envelope }
  | { type: 'deletion'; timeUs: number; deletion: Deletion }
  | { type: 'skip'; timeUs: number | null };

export function postUri(did: string, rkey: string, collection = postCollection): string {
  return `at://${did}/${collection}/${rkey}`;
}

/** `at://did/collection/rkey` → its parts, or null. */
export function parseAtUri(uri: string): { did: string; collection: string; rkey: string } | null {
  const match = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
  return match ? { did: match[1]!, collection: match[2]!, rkey: match[3]! } : null;
}

function mentionsDid(record: JsonRecord, did: string): boolean {
  return asArray(record.facets).some((facet) =>
    asArray(asRecord(facet)?.features).some((f) => {
      const feature = asRecord(f);
      return feature?.$type === 'app.bsky.richtext.facet#mention' && feature.did === did;
    }),
  );
}

function imageAttachments(record: JsonRecord): Envelope['attachments'] {
  const embed = asRecord(record.embed);
  const images = asArray(embed?.images ?? asRecord(embed?.media)?.images);
  return images.slice(0, 50).map((i) => ({ url: null, contentType: asString(asRecord(asRecord(i)?.image)?.mimeType) ?? 'image/*', name: asString(asRecord(i)?.alt)?.slice(0, 512) ?? null }));
}

/**
 * Maps one Jetstream (v1 JSON) event. Posts that neither address the brand nor match a listening rule,
 * our own commits, and identity/account events are skipped; deletes become deletions of the post URI.
 */
export function mapJetstreamEvent(event: unknown, channelId: string, options: JetstreamMapOptions): JetstreamMapped {
  const e = asRecord(parseJsonValue(event));
  const timeUs = asNumber(e?.time_us);
  const did = asString(e?.did);
  const commit = asRecord(e?.commit);
  if (!e || timeUs === null || !did || e.kind !== 'commit' || !commit || commit.collection !== postCollection) return { type: 'skip', timeUs };
  const rkey = asString(commit.rkey);
  if (!rkey) return { type: 'skip', timeUs };
  const uri = postUri(did, rkey);
  if (commit.operation === 'delete') return { type: 'deletion', timeUs, deletion: { channelId, externalId: uri } };
  if (options.ownDids?.includes(did) || did === options.brandDid) return { type: 'skip', timeUs };
  const record = asRecord(commit.record);
  if (!record) return { type: 'skip', timeUs };
  const text = asString(record.text) ?? '';
  const reply = asRecord(record.reply);
  const parentUri = asString(asRecord(reply?.parent)?.uri);
  const rootUri = asString(asRecord(reply?.root)?.uri);
  const handle = options.brandHandle?.toLowerCase();
  const addressed =
    mentionsDid(record, options.brandDid) ||
    (handle ? text.toLowerCase().includes(`@${handle}`) : false) ||
    (parentUri?.startsWith(`at://${options.brandDid}/`) ?? false);
  const language = asString(asArray(record.langs)[0]);
  const listening = !addressed && (options.matchesListening?.({ text, language, authorHandle: null }) ?? false);
  if (!addressed && !listening) return { type: 'skip', timeUs };
  const eventTime = isoFromMs(Math.floor(timeUs / 1000));
  const createdAt = isoFromDateString(record.createdAt) ?? eventTime;
  if (!createdAt) return { type: 'skip', timeUs };
  return {
    type: 'envelope',
    timeUs,
    envelope: {
      channelId,
      externalId: uri,
      kind: reply ? 'reply' : 'post',
      visibility: 'public',
      // Jetstream carries only the DID; the handle arrives in identity events or a profile lookup.
      author: { platformId: did, handle: null, displayName: null, followers: null, verified: null },
      text,
      attachments: imageAttachments(record),
      inReplyTo: parentUri,
      threadKey: rootUri ?? uri,
      url: `https://bsky.app/profile/${did}/post/${rkey}`,
      createdAt,
      listening,
      editedAt: commit.operation === 'update' ? eventTime : null,
      raw: { did, timeUs, cid: asString(commit.cid), rev: asString(commit.rev), record },
    },
  };
}
