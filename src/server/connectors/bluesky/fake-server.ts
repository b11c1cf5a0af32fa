import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export interface FakeBlueskyServer {
  /** PDS origin (XRPC over HTTP). */
  url: string;
  /** Jetstream origin (ws://). */
  jetstreamUrl: string;
  brandDid: string;
  /** A user commits a post; returns its AT-URI. `mention` adds a mention facet for the brand DID. */
  post(input: { did: string; text: string; mention?: boolean; replyTo?: string }): string;
  edit(uri: string, text: string): void;
  remove(uri: string): void;
  /** Emits non-post noise (identity, likes) that the adapter must skip. */
  noise(count: number): void;
  dropStreams(): void;
  streamCount(): number;
  /** The next authenticated call answers 400 ExpiredToken, as a PDS does for an expired access JWT. */
  expireAccessOnce(): void;
  failNext(nsid: string, status: number, headers?: Record<string, string>, body?: unknown): void;
  created: { repo: string; record: Record<string, unknown> }[];
  chatMessages: { convoId: string; text: string; proxy: string | undefined }[];
  calls: string[];
  /** Blobs received by com.atproto.repo.uploadBlob (raw body, its Content-Type). */
  blobs: { cid: string; mimeType: string; bytes: Buffer }[];
  close(): Promise<void>;
}

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

const sortableAlphabet = '234567abcdefghijklmnopqrstuvwxyz';
let lastTidUs = 0;

/** A timestamp identifier (13 chars, base32-sortable of µs << 10 | clock id), as revs and rkeys are. */
export function fakeTid(): string {
  lastTidUs = Math.max(lastTidUs + 1, Date.now() * 1000);
  let n = (BigInt(lastTidUs) << 10n) | 7n;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = sortableAlphabet[Number(n & 31n)]! + out;
    n >>= 5n;
  }
  return out;
}

/** A well-formed CIDv1 (dag-cbor, sha2-256) of `seed`: @atproto/api validates CIDs in responses. */
export function fakeCid(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return `b${base32(Uint8Array.from([0x01, 0x71, 0x12, 0x20, ...digest]))}`;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Local PDS (XRPC) and Jetstream v1 (WebSocket) speaking the wire formats of CONNECTORS.md §5. */
export async function startFakeBlueskyServer(options: { handle: string; appPassword: string }): Promise<FakeBlueskyServer> {
  const brandDid = 'did:plc:acmebrand0000000000000';
  const records = new Map<string, { cid: string; value: Record<string, unknown> }>();
  const log: string[] = [];
  const logTimes: number[] = [];
  const failures: { nsid: string; status: number; headers: Record<string, string>; body: unknown }[] = [];
  const state = { created: [] as FakeBlueskyServer['created'], chatMessages: [] as FakeBlueskyServer['chatMessages'], calls: [] as string[], blobs: [] as FakeBlueskyServer['blobs'] };
  const sockets = new Set<WebSocket>();
  let lastTime = Date.now() * 1000;
  let seq = 0;
  let access = '';
  let refresh = '';
  let expireOnce = false;
  const nextTime = () => (lastTime = Math.max(lastTime + 1, Date.now() * 1000));
  const rkey = fakeTid;

  function emit(event: Record<string, unknown>): void {
    const frame = JSON.stringify(event);
    log.push(frame);
    logTimes.push(Number(event.time_us));
    for (const ws of sockets) ws.send(frame);
  }

  function commit(did: string, operation: string, key: string, record?: Record<string, unknown>): void {
    const uri = `at://${did}/app.bsky.feed.post/${key}`;
    const cid = record ? fakeCid(`${uri}#${seq++}`) : undefined;
    if (record && cid) records.set(uri, { cid, value: record });
    if (!record) records.delete(uri);
    const c: Record<string, unknown> = { rev: fakeTid(), operation, collection: 'app.bsky.feed.post', rkey: key };
    if (record) Object.assign(c, { record, cid });
    emit({ did, time_us: nextTime(), kind: 'commit', commit: c });
  }

  function issueTokens() {
    access = `access-${seq++}`;
    refresh = `refresh-${seq++}`;
    return { did: brandDid, handle: options.handle, accessJwt: access, refreshJwt: refresh, active: true };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const nsid = url.pathname.replace(/^\/xrpc\//, '');
    state.calls.push(nsid);
    const failureIndex = failures.findIndex((f) => f.nsid === nsid);
    if (failureIndex >= 0) {
      const [f] = failures.splice(failureIndex, 1);
      return send(res, f!.status, f!.body ?? { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, f!.headers);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (nsid === 'com.atproto.server.createSession') {
      const body = await readJson(req);
      if (body.identifier !== options.handle || body.password !== options.appPassword) return send(res, 401, { error: 'AuthenticationRequired', message: 'Invalid identifier or password' });
      return send(res, 200, issueTokens());
    }
    if (nsid === 'com.atproto.server.refreshSession') {
      if (bearer !== refresh) return send(res, 400, { error: 'ExpiredToken', message: 'Token has been revoked' });
      return send(res, 200, issueTokens());
    }
    if (bearer !== access) return send(res, 401, { error: 'AuthenticationRequired', message: 'Authentication Required' });
    if (expireOnce) {
      expireOnce = false;
      return send(res, 400, { error: 'ExpiredToken', message: 'Token has expired' });
    }
    if (nsid === 'com.atproto.server.getSession') return send(res, 200, { did: brandDid, handle: options.handle, active: true });
    if (nsid === 'com.atproto.repo.getRecord') {
      const uri = `at://${url.searchParams.get('repo')}/${url.searchParams.get('collection')}/${url.searchParams.get('rkey')}`;
      const found = records.get(uri);
      return found ? send(res, 200, { uri, cid: found.cid, value: found.value }) : send(res, 400, { error: 'RecordNotFound', message: `Could not locate record: ${uri}` });
    }
    // Blob upload: the raw bytes as the body, their type in Content-Type; a PDS caps blobs (1,000,000 bytes for post images).
    if (nsid === 'com.atproto.repo.uploadBlob' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      const mimeType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!mimeType || mimeType === 'application/json') return send(res, 400, { error: 'InvalidRequest', message: 'blob needs its content type' });
      if (bytes.length === 0 || bytes.length > 1_000_000) return send(res, 400, { error: 'BlobTooLarge', message: `blob of ${bytes.length} bytes` });
      const cid = fakeCid(`blob-${seq++}`);
      state.blobs.push({ cid, mimeType, bytes });
      return send(res, 200, { blob: { $type: 'blob', ref: { $link: cid }, mimeType, size: bytes.length } });
    }
    if (nsid === 'com.atproto.repo.createRecord') {
      const body = await readJson(req);
      const record = body.record as Record<string, unknown>;
      // An images embed must name blobs this PDS holds, at most four, each with alt text (possibly empty).
      const embed = record.embed as { $type?: string; images?: { alt?: unknown; image?: { ref?: { $link?: string }; mimeType?: string } }[] } | undefined;
      if (embed) {
        const images = embed.images ?? [];
        const valid = embed.$type === 'app.bsky.embed.images' && images.length >= 1 && images.length <= 4 &&
          images.every((i) => typeof i.alt === 'string' && state.blobs.some((b) => b.cid === i.image?.ref?.$link && b.mimeType === i.image?.mimeType));
        if (!valid) return send(res, 400, { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: embed' });
      }
      state.created.push({ repo: String(body.repo), record });
      const key = rkey();
      // Our own post comes back on the firehose: the echo the adapter must skip.
      commit(brandDid, 'create', key, record);
      const uri = `at://${brandDid}/app.bsky.feed.post/${key}`;
      return send(res, 200, { uri, cid: records.get(uri)!.cid, commit: { cid: fakeCid(`commit-${key}`), rev: fakeTid() }, validationStatus: 'valid' });
    }
    const member = { did: brandDid, handle: options.handle };
    if (nsid === 'chat.bsky.convo.getConvoForMembers') {
      const other = url.searchParams.get('members') ?? '';
      return send(res, 200, { convo: { id: `convo-${other.slice(8, 16)}`, rev: '1', members: [member, { did: other, handle: 'customer.test' }], muted: false, unreadCount: 0 } });
    }
    if (nsid === 'chat.bsky.convo.sendMessage') {
      const body = await readJson(req);
      const message = body.message as { text: string };
      state.chatMessages.push({ convoId: String(body.convoId), text: message.text, proxy: req.headers['atproto-proxy'] as string | undefined });
      return send(res, 200, { id: `msg-${seq++}`, rev: '2', text: message.text, sender: { did: brandDid }, sentAt: new Date().toISOString() });
    }
    send(res, 501, { error: 'MethodNotImplemented', message: nsid });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: 'InternalServerError', message: String(error) }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/subscribe') return void socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    const cursor = Number(url.searchParams.get('cursor') ?? Number.NaN);
    const wanted = url.searchParams.getAll('wantedCollections');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Replay from the cursor, then go live; the collection filter lets identity/account events through, as v1 does.
      if (Number.isFinite(cursor)) {
        log.forEach((frame, i) => {
          if ((logTimes[i] ?? 0) < cursor) return;
          const collection = (JSON.parse(frame) as { commit?: { collection?: string } }).commit?.collection;
          if (!collection || wanted.length === 0 || wanted.includes(collection)) ws.send(frame);
        });
      }
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    jetstreamUrl: `ws://127.0.0.1:${port}`,
    brandDid,
    post({ did, text, mention, replyTo }) {
      const key = rkey();
      const record: Record<string, unknown> = { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString(), langs: ['en'] };
      if (mention) record.facets = [{ index: { byteStart: 0, byteEnd: 5 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: brandDid }] }];
      if (replyTo) {
        const parent = records.get(replyTo);
        const parentRoot = (parent?.value.reply as { root?: unknown } | undefined)?.root;
        const parentRef = { uri: replyTo, cid: parent?.cid ?? fakeCid(replyTo) };
        record.reply = { root: parentRoot ?? parentRef, parent: parentRef };
      }
      commit(did, 'create', key, record);
      return `at://${did}/app.bsky.feed.post/${key}`;
    },
    edit(uri, text) {
      const found = records.get(uri);
      const parts = /^at:\/\/([^/]+)\/[^/]+\/([^/]+)$/.exec(uri);
      if (found && parts) commit(parts[1]!, 'update', parts[2]!, { ...found.value, text });
    },
    remove(uri) {
      const parts = /^at:\/\/([^/]+)\/[^/]+\/([^/]+)$/.exec(uri);
      if (parts) commit(parts[1]!, 'delete', parts[2]!);
    },
    noise(count) {
      for (let i = 0; i < count; i++) {
        const did = `did:plc:noise${i}`;
        if (i % 2 === 0) emit({ did, time_us: nextTime(), kind: 'identity', identity: { did, handle: `n${i}.test`, seq: seq++, time: new Date().toISOString() } });
        else commit(did, 'create', rkey(), { $type: 'app.bsky.feed.post', text: `unrelated chatter ${i}`, createdAt: new Date().toISOString() });
      }
    },
    dropStreams: () => {
      for (const ws of sockets) ws.terminate();
    },
    streamCount: () => sockets.size,
    expireAccessOnce: () => { expireOnce = true; },
    failNext: (nsid, status, headers = {}, body) => failures.push({ nsid, status, headers, body }),
    created: state.created,
    chatMessages: state.chatMessages,
    calls: state.calls,
    blobs: state.blobs,
    close: () => new Promise<void>((resolve) => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
