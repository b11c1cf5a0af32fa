import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { parseMultipart } from '../shared/fake-multipart.js';
import type { WebSocket } from 'ws';

export interface FakeMastodonServer {
  url: string;
  botAccountId: string;
  /** A customer mentions the bot: creates the status and the `mention` notification, pushed to live streams. */
  mention(input: { acct: string; text: string; visibility?: string; inReplyToId?: string }): { statusId: string; notificationId: string };
  /** A public status that does not mention the bot, carrying `tags` as hashtags: for listening. */
  publicPost(input: { acct: string; text: string; tags?: string[]; language?: string }): string;
  /** Subscriptions the live sockets sent (`public`, `hashtag:acme`). */
  subscriptions(): string[];
  edit(statusId: string, text: string): void;
  remove(statusId: string): void;
  /** Closes every streaming socket, forcing clients to reconnect. */
  dropStreams(): void;
  streamCount(): number;
  /** The next request to `path` (and `method`, when given) fails with this status, headers and `{error}` body. */
  failNext(path: string, status: number, headers?: Record<string, string>, options?: { method?: string; error?: string }): void;
  posted: { body: Record<string, unknown>; idempotencyKey: string | undefined }[];
  /** Files uploaded through POST /api/v2/media, in order. */
  media: FakeMastodonMedia[];
  close(): Promise<void>;
}

export interface FakeMastodonMedia {
  id: string;
  type: 'image' | 'gifv' | 'video';
  filename: string;
  contentType: string;
  bytes: Buffer;
  description: string | null;
  /** Polls of GET /api/v1/media/:id left before a video is processed (Mastodon answers 206 until then). */
  pendingPolls: number;
  attachedTo: string | null;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Local Mastodon instance speaking the REST and WebSocket streaming wire format of CONNECTORS.md §4. */
export async function startFakeMastodonServer(options: { accessToken: string }): Promise<FakeMastodonServer> {
  const bot = { id: '1000', username: 'acme', acct: 'acme', display_name: 'Acme Support', followers_count: 5000 };
  const statuses = new Map<string, Record<string, unknown>>();
  const notifications: Record<string, unknown>[] = [];
  const idempotency = new Map<string, Record<string, unknown>>();
  const failures: { path: string; status: number; headers: Record<string, string>; method?: string; error?: string }[] = [];
  const posted: FakeMastodonServer['posted'] = [];
  const media: FakeMastodonMedia[] = [];
  let seq = 109_000_000_000_000_000n;
  const nextId = () => String(seq++);
  const now = () => new Date().toISOString();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const subscribed = new Map<WebSocket, Set<string>>();
  const publicStatuses: Record<string, unknown>[] = [];
  const authorised = (req: IncomingMessage) => req.headers.authorization === `Bearer ${options.accessToken}`;
  const limits = () => ({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '299', 'x-ratelimit-reset': new Date(Date.now() + 300_000).toISOString() });

  function broadcast(event: string, payload: unknown): void {
    const frame = JSON.stringify({ stream: ['user'], event, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
    for (const ws of sockets) ws.send(frame);
  }

  function mediaJson(m: FakeMastodonMedia): Record<string, unknown> {
    const ready = m.pendingPolls === 0;
    return { id: m.id, type: m.type, url: ready ? `https://files.fake.social/media/${m.id}` : null, preview_url: `https://files.fake.social/preview/${m.id}`, description: m.description, blurhash: null };
  }

  function makeStatus(account: Record<string, unknown>, text: string, visibility: string, inReplyToId: string | null, mentions: unknown[]): Record<string, unknown> {
    const id = nextId();
    const status = {
      id, uri: `https://fake.social/users/${String(account.username)}/statuses/${id}`, url: `https://fake.social/@${String(account.acct)}/${id}`,
      created_at: now(), account, content: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`, visibility, in_reply_to_id: inReplyToId,
      in_reply_to_account_id: null, mentions, edited_at: null, spoiler_text: '', language: 'en', media_attachments: [], reblog: null,
    };
    statuses.set(id, status);
    return status;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const failureIndex = failures.findIndex((f) => path === f.path && (!f.method || f.method === req.method));
    if (failureIndex >= 0) {
      const [failure] = failures.splice(failureIndex, 1);
      return send(res, failure!.status, { error: failure!.error ?? (failure!.status === 429 ? 'Too many requests' : 'Failure') }, { ...limits(), ...failure!.headers });
    }
    if (path === '/api/v2/instance') return send(res, 200, { domain: 'fake.social', configuration: { urls: { streaming: `ws://127.0.0.1:${port}` } } });
    if (!authorised(req)) return send(res, 401, { error: 'The access token is invalid' });
    if (req.method === 'GET' && path === '/api/v1/accounts/verify_credentials') return send(res, 200, bot, limits());
    if (req.method === 'GET' && path === '/api/v1/notifications') {
      const types = url.searchParams.getAll('types[]');
      const limit = Math.min(80, Number(url.searchParams.get('limit') ?? 40));
      const minId = url.searchParams.get('min_id');
      const sinceId = url.searchParams.get('since_id');
      let items = notifications.filter((n) => types.length === 0 || types.includes(String(n.type)));
      const newer = (id: string) => (a: Record<string, unknown>) => BigInt(String(a.id)) > BigInt(id);
      if (minId) items = items.filter(newer(minId)).slice(0, limit);
      else items = (sinceId ? items.filter(newer(sinceId)) : items).slice(-limit);
      const page = [...items].reverse();
      const base = `http://127.0.0.1:${port}/api/v1/notifications`;
      const link = page.length > 0 ? `<${base}?max_id=${String(page[page.length - 1]!.id)}>; rel="next", <${base}?min_id=${String(page[0]!.id)}>; rel="prev"` : '';
      return send(res, 200, page, { ...limits(), ...(link ? { link } : {}) });
    }
    const timeline = path === '/api/v1/timelines/public' ? 'public' : /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(path)?.[1];
    if (req.method === 'GET' && timeline) {
      const limit = Math.min(40, Number(url.searchParams.get('limit') ?? 20));
      const minId = url.searchParams.get('min_id');
      let items = publicStatuses.filter((st) => timeline === 'public' || (st.tags as { name: string }[]).some((t) => t.name === decodeURIComponent(timeline)));
      items = minId ? items.filter((st) => BigInt(String(st.id)) > BigInt(minId)).slice(0, limit) : items.slice(-limit);
      return send(res, 200, [...items].reverse(), limits());
    }
    const statusMatch = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
    if (req.method === 'GET' && statusMatch) {
      const status = statuses.get(statusMatch[1]!);
      return status ? send(res, 200, status, limits()) : send(res, 404, { error: 'Record not found' });
    }
    // Media upload (v2): multipart with `file` (and optional `description`); images are ready at once (200), videos
    // are processed asynchronously (202, url null) and GET /api/v1/media/:id answers 206 until they are.
    if (req.method === 'POST' && path === '/api/v2/media') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = await parseMultipart(Buffer.concat(chunks), req.headers['content-type']).catch(() => null);
      const file = form?.files.find((f) => f.name === 'file');
      if (!form || !file || form.files.length !== 1) return send(res, 422, { error: 'Validation failed: File is missing' });
      const type = file.contentType.startsWith('video/') ? 'video' : file.contentType === 'image/gif' ? 'gifv' : file.contentType.startsWith('image/') ? 'image' : null;
      if (!type) return send(res, 422, { error: `Validation failed: File content type is invalid (${file.contentType})` });
      const item: FakeMastodonMedia = { id: nextId(), type, filename: file.filename, contentType: file.contentType, bytes: file.bytes, description: form.fields.description ?? null, pendingPolls: type === 'image' ? 0 : 1, attachedTo: null };
      media.push(item);
      return send(res, item.pendingPolls > 0 ? 202 : 200, mediaJson(item), limits());
    }
    const mediaMatch = /^\/api\/v1\/media\/(\d+)$/.exec(path);
    if (req.method === 'GET' && mediaMatch) {
      const item = media.find((m) => m.id === mediaMatch[1]);
      if (!item) return send(res, 404, { error: 'Record not found' });
      if (item.pendingPolls > 0) {
        item.pendingPolls -= 1;
        return send(res, 206, mediaJson({ ...item, pendingPolls: 1 }), limits());
      }
      return send(res, 200, mediaJson(item), limits());
    }
    if (req.method === 'POST' && path === '/api/v1/statuses') {
      const body = await readJson(req);
      const key = req.headers['idempotency-key'] as string | undefined;
      posted.push({ body, idempotencyKey: key });
      if (key && idempotency.has(key)) return send(res, 200, idempotency.get(key), limits());
      const text = typeof body.status === 'string' ? body.status : '';
      const mediaIds = Array.isArray(body.media_ids) ? body.media_ids.map(String) : [];
      const attached = mediaIds.map((id) => media.find((m) => m.id === id));
      if (mediaIds.length > 4) return send(res, 422, { error: 'Validation failed: You have attached too many files' });
      if (attached.some((m) => !m || m.attachedTo)) return send(res, 422, { error: 'Validation failed: Media is invalid' });
      if (attached.some((m) => m!.pendingPolls > 0)) return send(res, 422, { error: 'Cannot attach files that have not finished processing. Try again in a moment!' });
      if (attached.length > 1 && attached.some((m) => m!.type === 'video')) return send(res, 422, { error: 'Validation failed: Cannot attach a video to a post that already contains images' });
      if (!text.trim() && attached.length === 0) return send(res, 422, { error: "Validation failed: Text can't be blank" });
      const parentId = typeof body.in_reply_to_id === 'string' ? body.in_reply_to_id : null;
      if (parentId && !statuses.has(parentId)) return send(res, 404, { error: 'Record not found' });
      const status = makeStatus(bot, text, typeof body.visibility === 'string' ? body.visibility : 'public', parentId, []);
      for (const m of attached) m!.attachedTo = String(status.id);
      status.media_attachments = attached.map((m) => mediaJson(m!));
      if (key) idempotency.set(key, status);
      // Our own status comes back on the home timeline: the echo the adapter must ignore.
      broadcast('update', status);
      return send(res, 200, status, limits());
    }
    send(res, 404, { error: 'Not found' });
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/api/v1/streaming' || !authorised(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      subscribed.set(ws, new Set());
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type?: string; stream?: string; tag?: string };
        if (message.type === 'subscribe' && message.stream) subscribed.get(ws)?.add(message.tag ? `${message.stream}:${message.tag}` : message.stream);
        else ws.send(JSON.stringify({ error: 'Unknown stream type', status: 400 }));
      });
      ws.on('close', () => {
        sockets.delete(ws);
        subscribed.delete(ws);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    botAccountId: bot.id,
    mention({ acct, text, visibility = 'public', inReplyToId }) {
      const username = acct.split('@')[0] ?? acct;
      const account = { id: `2${username.length}${[...username].map((c) => c.charCodeAt(0) % 10).join('')}`, username, acct, display_name: username, followers_count: 12 };
      const status = makeStatus(account, `@acme ${text}`, visibility, inReplyToId ?? null, [{ id: bot.id, username: 'acme', acct: 'acme', url: 'https://fake.social/@acme' }]);
      const notification = { id: nextId(), type: 'mention', created_at: now(), account, status };
      notifications.push(notification);
      broadcast('notification', notification);
      return { statusId: String(status.id), notificationId: String(notification.id) };
    },
    publicPost({ acct, text, tags = [], language = 'en' }) {
      const account = { id: `3${acct.length}${[...acct].map((c) => c.charCodeAt(0) % 10).join('').slice(0, 8)}`, username: acct, acct, display_name: acct, followers_count: 40 };
      const status = makeStatus(account, `${text}${tags.map((t) => ` #${t}`).join('')}`, 'public', null, []);
      Object.assign(status, { tags: tags.map((name) => ({ name, url: `https://fake.social/tags/${name}` })), language });
      publicStatuses.push(status);
      for (const [ws, streams] of subscribed) {
        const payload = JSON.stringify(status);
        if (streams.has('public')) ws.send(JSON.stringify({ stream: ['public'], event: 'update', payload }));
        for (const tag of tags) if (streams.has(`hashtag:${tag}`)) ws.send(JSON.stringify({ stream: ['hashtag', tag], event: 'update', payload }));
      }
      return String(status.id);
    },
    subscriptions: () => [...subscribed.values()].flatMap((set) => [...set]),
    edit(statusId, text) {
      const status = statuses.get(statusId);
      if (!status) return;
      Object.assign(status, { content: `<p>${text}</p>`, edited_at: now() });
      broadcast('status.update', status);
    },
    remove(statusId) {
      statuses.delete(statusId);
      broadcast('delete', statusId);
    },
    dropStreams: () => {
      for (const ws of sockets) ws.terminate();
    },
    streamCount: () => sockets.size,
    failNext: (path, status, headers = {}, options = {}) => failures.push({ path, status, headers, ...options }),
    posted,
    media,
    close: () => new Promise<void>((resolve) => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
