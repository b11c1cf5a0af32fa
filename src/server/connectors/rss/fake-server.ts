import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFeedEntry {
  id: string;
  title: string;
  html: string;
  author: string;
  link: string;
  published: Date;
  updated?: Date;
}

export interface FakeFeedServer {
  url: string;
  /** `/rss.xml` (RSS 2.0) and `/atom.xml` (Atom 1.0) serve the same entries. */
  rssUrl: string;
  atomUrl: string;
  add(entry: Omit<FakeFeedEntry, 'id' | 'link' | 'published'> & { id?: string; published?: Date }): FakeFeedEntry;
  edit(id: string, html: string): void;
  failNext(status: number, headers?: Record<string, string>): void;
  hits: { path: string; status: number }[];
  close(): Promise<void>;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A blog/forum/review site publishing RSS 2.0 and Atom with ETag and Last-Modified, answering 304 when unchanged. */
export async function startFakeFeedServer(): Promise<FakeFeedServer> {
  const entries: FakeFeedEntry[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const hits: FakeFeedServer['hits'] = [];
  let modified = new Date(Date.UTC(2026, 10, 1));
  let seq = 0;
  let base = '';

  const rss = () =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Gadget Reviews</title><link>${base}/</link><description>Reviews</description>` +
    [...entries].reverse().map((e) => `<item><title>${escape(e.title)}</title><link>${e.link}</link><guid isPermaLink="false">${e.id}</guid><dc:creator>${escape(e.author)}</dc:creator><pubDate>${e.published.toUTCString()}</pubDate><content:encoded><![CDATA[${e.html}]]></content:encoded></item>`).join('') +
    `</channel></rss>`;
  const atom = () =>
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Gadget Forum</title><id>urn:fake:forum</id><updated>${modified.toISOString()}</updated>` +
    [...entries].reverse().map((e) => `<entry><title>${escape(e.title)}</title><id>${e.id}</id><link rel="alternate" href="${e.link}"/><author><name>${escape(e.author)}</name></author><published>${e.published.toISOString()}</published><updated>${(e.updated ?? e.published).toISOString()}</updated><content type="html">${escape(e.html)}</content></entry>`).join('') +
    `</feed>`;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const failure = failures.shift();
    if (failure) {
      hits.push({ path, status: failure.status });
      res.writeHead(failure.status, failure.headers);
      return void res.end();
    }
    const body = path === '/rss.xml' ? rss() : path === '/atom.xml' ? atom() : null;
    if (body === null) {
      hits.push({ path, status: 404 });
      res.writeHead(404);
      return void res.end();
    }
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    const lastModified = modified.toUTCString();
    if (req.headers['if-none-match'] === etag || (!req.headers['if-none-match'] && req.headers['if-modified-since'] === lastModified)) {
      hits.push({ path, status: 304 });
      res.writeHead(304, { etag, 'last-modified': lastModified });
      return void res.end();
    }
    hits.push({ path, status: 200 });
    res.writeHead(200, { 'content-type': path === '/rss.xml' ? 'application/rss+xml' : 'application/atom+xml', etag, 'last-modified': lastModified });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const touch = () => { modified = new Date(modified.getTime() + 60_000); };
  return {
    url: base,
    rssUrl: `${base}/rss.xml`,
    atomUrl: `${base}/atom.xml`,
    add(input) {
      seq++;
      const entry: FakeFeedEntry = { ...input, id: input.id ?? `urn:fake:post:${seq}`, link: `${base}/posts/${seq}`, published: input.published ?? new Date(Date.UTC(2026, 10, 1, 0, seq)) };
      entries.push(entry);
      touch();
      return entry;
    },
    edit(id, html) {
      const entry = entries.find((e) => e.id === id);
      if (entry) Object.assign(entry, { html, updated: new Date(entry.published.getTime() + 3_600_000) });
      touch();
    },
    failNext: (status, headers = {}) => failures.push({ status, headers }),
    hits,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
