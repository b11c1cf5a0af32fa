import type { ServerResponse } from 'node:http';
import type { WebhookRequest } from '../port.js';
import { hmacSha256 } from '../shared/hmac.js';
import { asNumber, asRecord, asString } from '../shared/json.js';
import { parseMultipart } from '../shared/fake-multipart.js';
import { sendCanned, sendJson, startFakeHttpServer } from '../shared/fake-http.js';
import type { CannedResponse, FakeRequest } from '../shared/fake-http.js';
import { fakeBrand, fakeXId } from './fake-payloads.js';

export interface XFakeOptions {
  bearerToken?: string;
  userAccessToken?: string;
  consumerSecret?: string;
  /** Heartbeat period on the stream (X: ~20 s). */
  keepAliveMs?: number;
  /**
   * Lines pushed while no stream is connected wait for the next connection (the default, convenient for
   * tests that publish first). False is X's real behaviour: such posts reach only search and backfill.
   */
  holdWhileDisconnected?: boolean;
  /** OAuth 2.0 client for the refresh grant. */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of user access tokens (X: two hours); by default `userAccessToken` never expires. */
  accessTokenTtlMs?: number;
  /** POST /2/tweets calls per 15-minute window, reported in `x-rate-limit-*` headers (X Basic: 100 per user). */
  postsPerWindow?: number;
}

/** A file as the fake's v2 media upload received it. */
export interface XFakeMedia {
  id: string;
  category: string;
  mediaType: string;
  totalBytes: number;
  /** The bytes received: the one-shot part, or the APPEND segments joined in segment_index order. */
  bytes: Buffer;
  segments: number[];
  state: 'uploading' | 'pending' | 'succeeded';
  /** STATUS checks answered before processing succeeds. */
  statusChecksLeft: number;
  usedBy: string | null;
}

export interface XFakeServer {
  url: string;
  bearerToken: string;
  userAccessToken: string;
  consumerSecret: string;
  rules: { id: string; value: string; tag: string }[];
  tweets: { id: string; text: string; inReplyTo: string | null; mediaIds: string[] }[];
  dms: { eventId: string; conversationId: string; text: string; mediaIds: string[] }[];
  /** Media uploaded through v2 media upload (one-shot or initialize/append/finalize), by id. */
  media: XFakeMedia[];
  /** Posts mentioning our account, served by GET /2/users/:id/mentions (v2 `data` + the author). */
  mentions: { tweet: Record<string, unknown>; user: Record<string, unknown> }[];
  /** DM events served by GET /2/dm_events; our own sends are added here as X does. */
  dmEvents: { event: Record<string, unknown>; user: Record<string, unknown> }[];
  /** Open filtered-stream connections. */
  readonly streamConnections: number;
  /** Queries received by GET /2/tweets/search/recent, with their since_id. */
  searches: { query: string; sinceId: string | null }[];
  /** `backfill_minutes` of each stream connection (null when absent). */
  streamBackfills: (number | null)[];
  /** A user grant as the authorization-code exchange returns it (access token expiring after the TTL). */
  issueUserGrant(): { accessToken: string; refreshToken: string; expiresAt: number };
  /** Refresh-grant calls answered, and which refresh tokens they presented. */
  refreshes: { refreshToken: string; ok: boolean }[];
  /** POST /2/tweets calls received (accepted or refused). */
  readonly postCalls: number;
  /** Revoke every issued user access token now (X answers 401 until the client refreshes); the fixed `userAccessToken` stays valid. */
  revokeUserAccessTokens(): void;
  /** Emit a line to every open stream, or hold it until one connects; each line is split across two writes. */
  pushStreamLine(line: unknown): void;
  /** Send an operational-disconnect error object, then close every stream. */
  disconnectStreams(): void;
  /** Stop heartbeats so clients must detect the stall (false: resume them). */
  silenceStreams(silent?: boolean): void;
  /** Answer the next matching call with this response instead (path prefix, e.g. `/2/tweets`). */
  failNext(pathPrefix: string, response: CannedResponse): void;
  /** A signed Account Activity delivery as the webhook route would receive it. */
  signedDelivery(payload: unknown): WebhookRequest;
  crcRequest(token: string): WebhookRequest;
  close(): Promise<void>;
}

/**
 * Enough of X's search syntax for recovery queries: clauses joined by OR, each a list of terms that must all
 * appear (case-insensitive); operators (`-term`, `is:`, `lang:`) are not modelled and match everything.
 */
export function fakeSearchMatches(query: string, text: string): boolean {
  const lower = text.toLowerCase();
  return query.split(/\s+OR\s+/).some((clause) =>
    clause
      .replace(/[()]/g, ' ')
      .split(/\s+/)
      .filter((term) => term && !term.startsWith('-') && !term.includes(':'))
      .every((term) => lower.includes(term.replace(/^"|"$/g, '').toLowerCase())),
  );
}

/** A local X API v2 fake speaking the documented wire format (CONNECTORS.md §1, checklist §10). */
export async function startXFakeServer(options: XFakeOptions = {}): Promise<XFakeServer> {
  const bearerToken = options.bearerToken ?? 'app-bearer-token';
  const userAccessToken = options.userAccessToken ?? 'user-access-token';
  const consumerSecret = options.consumerSecret ?? 'consumer-secret';
  const rules: XFakeServer['rules'] = [];
  const tweets: XFakeServer['tweets'] = [];
  const dms: XFakeServer['dms'] = [];
  const media: XFakeMedia[] = [];
  const segmentBytes = new Map<string, Map<number, Buffer>>();
  const mentions: XFakeServer['mentions'] = [];
  const dmEvents: XFakeServer['dmEvents'] = [];
  const failures: { prefix: string; response: CannedResponse }[] = [];
  const streams = new Set<ServerResponse>();
  const pending: string[] = [];
  const holdWhileDisconnected = options.holdWhileDisconnected ?? true;
  // Every post line ever pushed, for search/recent and backfill_minutes.
  const history: { at: number; id: string; text: string; line: string; parsed: Record<string, unknown> }[] = [];
  const searches: XFakeServer['searches'] = [];
  const streamBackfills: XFakeServer['streamBackfills'] = [];
  const clientId = options.clientId ?? 'parley-client';
  const clientSecret = options.clientSecret ?? 'parley-client-secret';
  const accessTokens = new Map<string, number>([[userAccessToken, Number.POSITIVE_INFINITY]]);
  const refreshTokens = new Set<string>();
  const refreshes: XFakeServer['refreshes'] = [];
  let tokenSeq = 0;
  const issueUserGrant = () => {
    tokenSeq += 1;
    const accessToken = `user-access-${tokenSeq}-${Math.random().toString(36).slice(2)}`;
    const refreshToken = `user-refresh-${tokenSeq}-${Math.random().toString(36).slice(2)}`;
    const expiresAt = Date.now() + (options.accessTokenTtlMs ?? 7_200_000);
    accessTokens.set(accessToken, expiresAt);
    refreshTokens.add(refreshToken);
    return { accessToken, refreshToken, expiresAt };
  };
  let silenced = false;
  let postCalls = 0;
  const postsPerWindow = options.postsPerWindow ?? 100;
  const windowResetSeconds = Math.floor(Date.now() / 1000) + 900;

  const writeChains = new WeakMap<ServerResponse, Promise<void>>();
  const writeLine = (res: ServerResponse, line: string): void => {
    // Cut each object in two writes so clients must reassemble lines across chunks; chained so lines never interleave.
    const cut = Math.max(1, Math.floor(line.length / 2));
    const previous = writeChains.get(res) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (res.writableEnded) return;
      res.write(line.slice(0, cut));
      await new Promise((resolve) => setImmediate(resolve));
      if (!res.writableEnded) res.write(`${line.slice(cut)}\r\n`);
    });
    writeChains.set(res, next);
  };

  const heartbeat = setInterval(() => {
    if (silenced) return;
    // Through the same chain as lines: a heartbeat between the two halves of a line would corrupt it.
    for (const res of streams) {
      const next = (writeChains.get(res) ?? Promise.resolve()).then(() => {
        if (!res.writableEnded) res.write('\r\n');
      });
      writeChains.set(res, next);
    }
  }, options.keepAliveMs ?? 20_000);

  function authorized(req: FakeRequest, res: ServerResponse, token: string): boolean {
    if (req.headers.authorization === `Bearer ${token}`) return true;
    sendJson(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    return false;
  }

  function userAuthorized(req: FakeRequest, res: ServerResponse): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if ((accessTokens.get(token) ?? 0) > Date.now()) return true;
    sendJson(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    return false;
  }

  function takeFailure(path: string): CannedResponse | null {
    const index = failures.findIndex((f) => path.startsWith(f.prefix));
    if (index < 0) return null;
    return failures.splice(index, 1)[0]?.response ?? null;
  }

  const http = await startFakeHttpServer(async (req, res) => {
    const failure = takeFailure(req.path);
    if (failure) return sendCanned(res, failure);
    const body = asRecord(req.json);
    if (req.path === '/2/tweets/search/stream') {
      if (!authorized(req, res, bearerToken)) return;
      if (streams.size > 0) return sendJson(res, 429, { title: 'ConnectionException', detail: 'TooManyConnections', type: 'https://api.x.com/2/problems/streaming-connection', status: 429 });
      const backfill = req.query.has('backfill_minutes') ? Number(req.query.get('backfill_minutes')) : null;
      streamBackfills.push(backfill);
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.write('\r\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      // backfill_minutes (0-5): X replays what matched in that window before going live.
      if (backfill) for (const h of history.filter((h) => h.at >= Date.now() - Math.min(5, backfill) * 60_000)) writeLine(res, h.line);
      for (const line of pending.splice(0)) writeLine(res, line);
      return;
    }
    if (req.path === '/2/tweets/search/recent' && req.method === 'GET') {
      if (!authorized(req, res, bearerToken)) return;
      const query = req.query.get('query') ?? '';
      if (!query.trim() || query.length > 512) return sendJson(res, 400, { title: 'Invalid Request', detail: 'query must be 1-512 characters', type: 'https://api.x.com/2/problems/invalid-request', status: 400 });
      const sinceId = req.query.get('since_id');
      searches.push({ query, sinceId });
      const matches = history
        .filter((h) => (!sinceId || BigInt(h.id) > BigInt(sinceId)) && fakeSearchMatches(query, h.text))
        .sort((a, b) => (BigInt(a.id) > BigInt(b.id) ? -1 : 1));
      const users = (h: (typeof history)[number]) => (asRecord(h.parsed.includes)?.users as unknown[] | undefined)?.[0] ?? {};
      // Search pages with next_token (timelines use pagination_token).
      const paging = new URLSearchParams(req.query);
      paging.set('pagination_token', req.query.get('next_token') ?? '0');
      return sendJson(res, 200, page(matches, paging, (h) => h.parsed.data, users, (items) => ({ newest_id: asRecord(items[0]?.parsed.data)?.id, oldest_id: asRecord(items.at(-1)?.parsed.data)?.id })));
    }
    if (req.path === '/2/oauth2/token' && req.method === 'POST') {
      const form = asRecord(req.json);
      const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      // Confidential clients authenticate with Basic; public (PKCE) clients send only client_id.
      if ((req.headers.authorization !== undefined && req.headers.authorization !== basic) || asString(form?.client_id) !== clientId) return sendJson(res, 401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
      const presented = asString(form?.refresh_token) ?? '';
      const ok = asString(form?.grant_type) === 'refresh_token' && refreshTokens.delete(presented);
      refreshes.push({ refreshToken: presented, ok });
      if (!ok) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
      const grant = issueUserGrant();
      return sendJson(res, 200, { token_type: 'bearer', expires_in: Math.max(1, Math.round((grant.expiresAt - Date.now()) / 1000)), access_token: grant.accessToken, scope: 'tweet.read tweet.write users.read dm.read dm.write offline.access', refresh_token: grant.refreshToken });
    }
    if (req.path === '/2/tweets/search/stream/rules') {
      if (!authorized(req, res, bearerToken)) return;
      if (req.method === 'GET') {
        return sendJson(res, 200, rules.length ? { data: rules, meta: { sent: new Date().toISOString(), result_count: rules.length } } : { meta: { sent: new Date().toISOString(), result_count: 0 } });
      }
      const add = Array.isArray(body?.add) ? body.add : null;
      if (add) {
        const created = add.map((r: unknown) => ({ id: fakeXId(), value: asString(asRecord(r)?.value) ?? '', tag: asString(asRecord(r)?.tag) ?? '' }));
        rules.push(...created);
        return sendJson(res, 201, { data: created, meta: { sent: new Date().toISOString(), summary: { created: created.length, not_created: 0, valid: created.length, invalid: 0 } } });
      }
      const ids = (asRecord(body?.delete)?.ids as string[] | undefined) ?? [];
      let deleted = 0;
      for (const id of ids) {
        const index = rules.findIndex((r) => r.id === id);
        if (index >= 0) {
          rules.splice(index, 1);
          deleted += 1;
        }
      }
      return sendJson(res, 200, { meta: { sent: new Date().toISOString(), summary: { deleted, not_deleted: ids.length - deleted } } });
    }
    // v2 media upload: images in one multipart POST (media, media_category); GIFs and videos via initialize, append
    // (multipart media + segment_index) and finalize, then processing checked with GET ?command=STATUS.
    if (req.path.startsWith('/2/media/upload')) {
      if (!userAuthorized(req, res)) return;
      const invalid = (detail: string) => sendJson(res, 400, { title: 'Invalid Request', detail, type: 'https://api.x.com/2/problems/invalid-request', status: 400 });
      const json = (m: XFakeMedia) => ({ data: { id: m.id, media_key: `3_${m.id}`, size: m.totalBytes, expires_after_secs: 86_400, ...(m.state === 'uploading' ? {} : { processing_info: m.state === 'succeeded' && m.category.endsWith('_image') ? undefined : { state: m.state, ...(m.state === 'pending' ? { check_after_secs: 0 } : { progress_percent: 100 }) } }) } });
      if (req.path === '/2/media/upload' && req.method === 'GET') {
        const m = media.find((x) => x.id === req.query.get('media_id'));
        if (req.query.get('command') !== 'STATUS' || !m) return invalid('unknown media_id or command');
        if (m.state === 'pending' && m.statusChecksLeft-- <= 0) m.state = 'succeeded';
        return sendJson(res, 200, json(m));
      }
      if (req.path === '/2/media/upload' && req.method === 'POST') {
        const form = await parseMultipart(req.body, req.headers['content-type']).catch(() => null);
        const file = form?.files.find((f) => f.name === 'media');
        const category = form?.fields.media_category ?? 'tweet_image';
        if (!form || !file || file.bytes.length === 0) return invalid('media is required');
        if (!['tweet_image', 'dm_image'].includes(category)) return invalid(`${category} needs a chunked upload`);
        const m: XFakeMedia = { id: fakeXId(), category, mediaType: file.contentType, totalBytes: file.bytes.length, bytes: file.bytes, segments: [0], state: 'succeeded', statusChecksLeft: 0, usedBy: null };
        media.push(m);
        return sendJson(res, 200, json(m));
      }
      if (req.path === '/2/media/upload/initialize' && req.method === 'POST') {
        const category = asString(body?.media_category) ?? '';
        const total = asNumber(body?.total_bytes) ?? 0;
        if (!/^(tweet|dm)_(image|gif|video)$/.test(category) || total <= 0 || !asString(body?.media_type)) return invalid('media_type, total_bytes and media_category are required');
        const m: XFakeMedia = { id: fakeXId(), category, mediaType: asString(body?.media_type)!, totalBytes: total, bytes: Buffer.alloc(0), segments: [], state: 'uploading', statusChecksLeft: 1, usedBy: null };
        media.push(m);
        segmentBytes.set(m.id, new Map());
        return sendJson(res, 200, json(m));
      }
      const step = /^\/2\/media\/upload\/(\d+)\/(append|finalize)$/.exec(req.path);
      const m = step ? media.find((x) => x.id === step[1]) : undefined;
      if (!step || !m || req.method !== 'POST' || m.state !== 'uploading') return invalid('unknown media id or step');
      if (step[2] === 'append') {
        const form = await parseMultipart(req.body, req.headers['content-type']).catch(() => null);
        const chunk = form?.files.find((f) => f.name === 'media');
        const index = Number(form?.fields.segment_index);
        if (!chunk || !Number.isInteger(index) || index < 0) return invalid('media and segment_index are required');
        segmentBytes.get(m.id)!.set(index, chunk.bytes);
        m.segments.push(index);
        return sendJson(res, 200, { data: { expires_at: Math.floor(Date.now() / 1000) + 86_400 } });
      }
      const parts = [...segmentBytes.get(m.id)!.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
      m.bytes = Buffer.concat(parts);
      if (m.bytes.length !== m.totalBytes) return invalid(`received ${m.bytes.length} of ${m.totalBytes} bytes`);
      m.state = 'pending';
      return sendJson(res, 200, json(m));
    }
    const attach = (ids: string[], owner: string): string | null => {
      for (const id of ids) {
        const m = media.find((x) => x.id === id);
        if (!m) return `media ${id} was not found`;
        if (m.state !== 'succeeded') return `media ${id} is not ready`;
      }
      for (const id of ids) media.find((x) => x.id === id)!.usedBy = owner;
      return null;
    };
    if (req.path === '/2/tweets' && req.method === 'POST') {
      postCalls += 1;
      const remaining = postsPerWindow - postCalls;
      const limits = { 'x-rate-limit-limit': String(postsPerWindow), 'x-rate-limit-remaining': String(Math.max(0, remaining)), 'x-rate-limit-reset': String(windowResetSeconds) };
      if (remaining < 0) return sendJson(res, 429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, limits);
      if (!userAuthorized(req, res)) return;
      const text = asString(body?.text) ?? '';
      if (tweets.some((t) => t.text === text)) {
        return sendJson(res, 403, { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 });
      }
      const id = fakeXId();
      const mediaIds = ((asRecord(body?.media)?.media_ids as unknown[] | undefined) ?? []).map(String);
      if (mediaIds.length > 4) return sendJson(res, 400, { title: 'Invalid Request', detail: 'media.media_ids: at most 4', type: 'https://api.x.com/2/problems/invalid-request', status: 400 });
      const refused = mediaIds.length ? attach(mediaIds, id) : null;
      if (refused) return sendJson(res, 400, { title: 'Invalid Request', detail: refused, type: 'https://api.x.com/2/problems/invalid-request', status: 400 });
      tweets.push({ id, text, inReplyTo: asString(asRecord(body?.reply)?.in_reply_to_tweet_id), mediaIds });
      return sendJson(res, 201, { data: { id, text, edit_history_tweet_ids: [id] } }, limits);
    }
    const dm = /^\/2\/dm_conversations\/(with\/)?([^/]+)\/messages$/.exec(req.path);
    if (dm && req.method === 'POST') {
      if (!userAuthorized(req, res)) return;
      const other = decodeURIComponent(dm[2] ?? '');
      const conversationId = dm[1] ? [other, fakeBrand.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-') : other;
      const eventId = fakeXId();
      const mediaIds = ((body?.attachments as unknown[] | undefined) ?? []).map((a) => String(asRecord(a)?.media_id));
      const refused = mediaIds.length > 1 ? 'one attachment per message' : mediaIds.length ? attach(mediaIds, eventId) : null;
      if (refused) return sendJson(res, 400, { title: 'Invalid Request', detail: refused, type: 'https://api.x.com/2/problems/invalid-request', status: 400 });
      dms.push({ eventId, conversationId, text: asString(body?.text) ?? '', mediaIds });
      dmEvents.push({
        event: { id: eventId, event_type: 'MessageCreate', text: asString(body?.text) ?? '', sender_id: fakeBrand.id, dm_conversation_id: conversationId, created_at: new Date().toISOString() },
        user: { id: fakeBrand.id, username: fakeBrand.username, name: fakeBrand.name },
      });
      return sendJson(res, 201, { data: { dm_conversation_id: conversationId, dm_event_id: eventId } });
    }
    if (/^\/2\/users\/[^/]+\/mentions$/.test(req.path) && req.method === 'GET') {
      if (!userAuthorized(req, res)) return;
      const since = req.query.get('since_id');
      const newestFirst = mentions.filter((m) => !since || BigInt(String(m.tweet.id)) > BigInt(since)).sort((a, b) => (BigInt(String(a.tweet.id)) > BigInt(String(b.tweet.id)) ? -1 : 1));
      return sendJson(res, 200, page(newestFirst, req.query, (m) => m.tweet, (m) => m.user, (items) => ({ newest_id: items[0]?.tweet.id, oldest_id: items.at(-1)?.tweet.id })));
    }
    if (req.path === '/2/dm_events' && req.method === 'GET') {
      if (!userAuthorized(req, res)) return;
      const newestFirst = [...dmEvents].sort((a, b) => (BigInt(String(a.event.id)) > BigInt(String(b.event.id)) ? -1 : 1));
      return sendJson(res, 200, page(newestFirst, req.query, (d) => d.event, (d) => d.user, () => ({})));
    }
    if (req.path === '/2/users/me') {
      if (!userAuthorized(req, res)) return;
      return sendJson(res, 200, { data: { id: fakeBrand.id, name: fakeBrand.name, username: fakeBrand.username } });
    }
    sendJson(res, 404, { title: 'Not Found Error', detail: `no route ${req.method} ${req.path}`, type: 'https://api.x.com/2/problems/resource-not-found', status: 404 });
  });

  /** One page of a newest-first list with X's `meta.next_token` / `pagination_token` paging. */
  function page<T>(all: T[], query: URLSearchParams, data: (t: T) => unknown, user: (t: T) => unknown, extra: (items: T[]) => Record<string, unknown>): Record<string, unknown> {
    const size = Number(query.get('max_results') ?? 100);
    const start = Number(query.get('pagination_token') ?? 0);
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? String(start + size) : undefined;
    const meta = { result_count: items.length, ...(items.length ? extra(items) : {}), ...(next ? { next_token: next } : {}) };
    return items.length ? { data: items.map(data), includes: { users: items.map(user) }, meta } : { meta };
  }

  const webhookRequest = (method: 'GET' | 'POST', rawBody: Buffer, headers: Record<string, string>, query: Record<string, string>): WebhookRequest => ({
    method,
    headers,
    query,
    rawBody,
  });

  return {
    url: http.url,
    bearerToken,
    userAccessToken,
    consumerSecret,
    rules,
    tweets,
    dms,
    media,
    mentions,
    dmEvents,
    get streamConnections() {
      return streams.size;
    },
    searches,
    streamBackfills,
    get postCalls() {
      return postCalls;
    },
    issueUserGrant,
    refreshes,
    revokeUserAccessTokens() {
      for (const token of accessTokens.keys()) if (token !== userAccessToken) accessTokens.set(token, 0);
    },
    pushStreamLine(line) {
      const text = typeof line === 'string' ? line : JSON.stringify(line);
      const parsed = asRecord(typeof line === 'string' ? JSON.parse(line) : line);
      const data = asRecord(parsed?.data);
      const id = asString(data?.id);
      if (parsed && id) history.push({ at: Date.now(), id, text: asString(data?.text) ?? '', line: text, parsed });
      if (streams.size === 0 && holdWhileDisconnected) pending.push(text);
      for (const res of streams) writeLine(res, text);
    },
    disconnectStreams() {
      const error = { errors: [{ title: 'operational-disconnect', disconnect_type: 'UpstreamOperationalDisconnect', detail: 'This stream has been disconnected upstream for operational reasons.', type: 'https://api.x.com/2/problems/operational-disconnect' }] };
      for (const res of streams) res.end(`${JSON.stringify(error)}\r\n`);
      streams.clear();
    },
    silenceStreams(silent = true) {
      silenced = silent;
    },
    failNext(prefix, response) {
      failures.push({ prefix, response });
    },
    signedDelivery(payload) {
      const rawBody = Buffer.from(JSON.stringify(payload));
      const signature = `sha256=${hmacSha256(consumerSecret, rawBody, 'base64')}`;
      return webhookRequest('POST', rawBody, { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature }, {});
    },
    crcRequest(token) {
      return webhookRequest('GET', Buffer.alloc(0), {}, { crc_token: token, nonce: 'abc' });
    },
    async close() {
      clearInterval(heartbeat);
      for (const res of streams) res.destroy();
      streams.clear();
      await http.close();
    },
  };
}
