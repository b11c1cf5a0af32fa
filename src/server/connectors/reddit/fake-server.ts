import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Reddit thing as the API serves it (`{kind, data}`). */
export interface FakeRedditThing {
  kind: 't1' | 't3' | 't4';
  data: Record<string, unknown>;
}

export interface FakeRedditServer {
  url: string;
  /** Adds a comment to a subreddit (or the bot's inbox when `inbox` is set) and returns its fullname. */
  addComment(input: { subreddit: string; author: string; body: string; parentId?: string; linkId?: string; inbox?: boolean }): string;
  addMessage(input: { author: string; subject: string; body: string; firstMessageName?: string }): string;
  addPost(input: { subreddit: string; author: string; title: string; selftext?: string }): string;
  /** `q` values received by /search. */
  searches: string[];
  edit(name: string, body: string): void;
  remove(name: string): void;
  /** Makes every issued access token expire, so the next call gets 401. */
  expireTokens(): void;
  /** The next request whose path starts with `pathPrefix` gets this status and headers instead. */
  failNext(pathPrefix: string, status: number, headers?: Record<string, string>, body?: unknown): void;
  replies: FakeRedditThing[];
  requests: { method: string; path: string; userAgent: string | undefined }[];
  tokenGrants: string[];
  close(): Promise<void>;
}

export interface FakeRedditOptions {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  refreshToken?: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Local Reddit speaking the wire format of CONNECTORS.md §3 on 127.0.0.1, port chosen by the OS. */
export async function startFakeRedditServer(options: FakeRedditOptions): Promise<FakeRedditServer> {
  const things: FakeRedditThing[] = [];
  const inbox = new Set<string>();
  const tokens = new Map<string, boolean>();
  const failures: { pathPrefix: string; status: number; headers: Record<string, string>; body: unknown }[] = [];
  const botFullname = 't2_bot0001';
  let seq = 1_000_000;
  let clock = 1_764_000_000;
  let used = 0;
  const searches: string[] = [];
  const state = { replies: [] as FakeRedditThing[], requests: [] as FakeRedditServer['requests'], tokenGrants: [] as string[] };

  const find = (name: string) => things.find((t) => t.data.name === name);
  const nextId = () => (seq++).toString(36);
  const listing = (children: FakeRedditThing[], after: string | null) => ({ kind: 'Listing', data: { after, before: null, dist: children.length, modhash: '', children } });

  function page(items: FakeRedditThing[], query: URLSearchParams) {
    const newestFirst = [...items].reverse();
    const limit = Math.min(100, Number(query.get('limit') ?? 25));
    let start = 0;
    const after = query.get('after');
    if (after) start = newestFirst.findIndex((t) => t.data.name === after) + 1;
    const slice = newestFirst.slice(start, start + limit);
    const more = start + limit < newestFirst.length;
    return listing(slice, more ? String(slice[slice.length - 1]?.data.name) : null);
  }

  function addThing(kind: FakeRedditThing['kind'], data: Record<string, unknown>, toInbox: boolean): string {
    const id = nextId();
    const name = `${kind}_${id}`;
    things.push({ kind, data: { id, name, created_utc: clock++, edited: false, ...data } });
    if (toInbox) inbox.add(name);
    return name;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    state.requests.push({ method: req.method ?? 'GET', path, userAgent: req.headers['user-agent'] });
    const body = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    used++;
    const limits = { 'x-ratelimit-used': String(used), 'x-ratelimit-remaining': String(Math.max(0, 600 - used)), 'x-ratelimit-reset': '420' };

    const failureIndex = failures.findIndex((f) => path.startsWith(f.pathPrefix));
    if (failureIndex >= 0) {
      const [failure] = failures.splice(failureIndex, 1);
      return send(res, failure!.status, failure!.body ?? { message: 'failure', error: failure!.status }, { ...limits, ...failure!.headers });
    }

    if (path === '/api/v1/access_token' && req.method === 'POST') {
      const expected = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return send(res, 401, { message: 'Unauthorized', error: 401 });
      const grant = body.get('grant_type') ?? '';
      const ok =
        (grant === 'password' && body.get('username') === options.username && body.get('password') === options.password) ||
        (grant === 'refresh_token' && options.refreshToken !== undefined && body.get('refresh_token') === options.refreshToken);
      // Reddit answers a bad grant with HTTP 200 and an error field.
      if (!ok) return send(res, 200, { error: 'invalid_grant' });
      const token = `tok-${nextId()}`;
      tokens.set(token, true);
      state.tokenGrants.push(grant);
      return send(res, 200, { access_token: token, token_type: 'bearer', expires_in: 86400, scope: '*' });
    }

    const bearer = /^bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.get(bearer)) return send(res, 401, { message: 'Unauthorized', error: 401 }, limits);

    const subMatch = /^\/r\/([^/]+)\/comments$/.exec(path);
    if (req.method === 'GET' && subMatch) {
      const sub = decodeURIComponent(subMatch[1]!);
      return send(res, 200, page(things.filter((t) => t.kind === 't1' && t.data.subreddit === sub), url.searchParams), limits);
    }
    if (req.method === 'GET' && path === '/search') {
      // Loose like Reddit's: any bare word of the query found in the title or text is a hit.
      const q = url.searchParams.get('q') ?? '';
      searches.push(q);
      const words = (q.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !['and', 'or', 'not', 'author'].includes(w));
      const hits = things.filter((t) => t.kind === 't3' && words.some((w) => `${String(t.data.title)} ${String(t.data.selftext)}`.toLowerCase().includes(w)));
      return send(res, 200, page(hits, url.searchParams), limits);
    }
    if (req.method === 'GET' && path === '/message/inbox') {
      return send(res, 200, page(things.filter((t) => inbox.has(String(t.data.name))), url.searchParams), limits);
    }
    if (req.method === 'GET' && path === '/api/info') {
      const ids = (url.searchParams.get('id') ?? '').split(',');
      return send(res, 200, listing(ids.map(find).filter((t): t is FakeRedditThing => t !== undefined && t.kind !== 't4'), null), limits);
    }
    if (req.method === 'GET' && path === '/api/v1/me') return send(res, 200, { name: options.username, id: 'bot0001' }, limits);
    if (req.method === 'POST' && path === '/api/comment') {
      const parent = find(body.get('thing_id') ?? '');
      const text = body.get('text') ?? '';
      if (!body.get('thing_id')) return send(res, 200, { json: { errors: [['NO_THING_ID', 'no thing id', 'parent']] } }, limits);
      if (!text) return send(res, 200, { json: { errors: [['NO_TEXT', 'we need something here', 'text']] } }, limits);
      if (!parent || parent.data.author === '[deleted]') return send(res, 200, { json: { errors: [['DELETED_COMMENT', 'that comment has been deleted', 'parent']] } }, limits);
      const kind = parent.kind === 't4' ? 't4' : 't1';
      const data: Record<string, unknown> = { author: options.username, author_fullname: botFullname, body: text, parent_id: parent.data.name };
      if (kind === 't1') Object.assign(data, { link_id: parent.data.link_id ?? parent.data.name, subreddit: parent.data.subreddit, permalink: `/r/${String(parent.data.subreddit)}/comments/x/_/${seq.toString(36)}/` });
      else Object.assign(data, { first_message_name: parent.data.first_message_name ?? parent.data.name, subject: `re: ${String(parent.data.subject)}` });
      const name = addThing(kind, data, false);
      const created = find(name)!;
      state.replies.push(created);
      return send(res, 200, { json: { errors: [], data: { things: [created] } } }, limits);
    }
    send(res, 404, { message: 'Not Found', error: 404 }, limits);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    addComment: ({ subreddit, author, body, parentId, linkId, inbox: toInbox }) => {
      const link = linkId ?? 't3_post01';
      return addThing('t1', { subreddit, author, author_fullname: `t2_${author}`, body, parent_id: parentId ?? link, link_id: link, permalink: `/r/${subreddit}/comments/post01/_/${seq.toString(36)}/`, subreddit_id: 't5_2qh0y', score: 1, distinguished: null }, toInbox ?? false);
    },
    addMessage: ({ author, subject, body, firstMessageName }) =>
      addThing('t4', { author, author_fullname: `t2_${author}`, subject, body, dest: options.username, first_message_name: firstMessageName ?? null, parent_id: firstMessageName ?? null, was_comment: false }, true),
    addPost: ({ subreddit, author, title, selftext }) => {
      const name = addThing('t3', { subreddit, author, author_fullname: `t2_${author}`, title, selftext: selftext ?? '', permalink: `/r/${subreddit}/comments/${seq.toString(36)}/post/`, num_comments: 0, score: 1 }, false);
      const thing = find(name)!;
      thing.data.link_id = name;
      return name;
    },
    searches,
    edit: (name, body) => {
      const thing = find(name);
      if (thing) Object.assign(thing.data, { body, edited: clock++ });
    },
    remove: (name) => {
      const thing = find(name);
      if (thing) Object.assign(thing.data, { author: '[deleted]', body: '[deleted]' });
    },
    expireTokens: () => tokens.clear(),
    failNext: (pathPrefix, status, headers = {}, body) => failures.push({ pathPrefix, status, headers, body }),
    replies: state.replies,
    requests: state.requests,
    tokenGrants: state.tokenGrants,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
