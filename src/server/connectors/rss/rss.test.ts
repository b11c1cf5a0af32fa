import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelopeSchema } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import { startFakeFeedServer } from './fake-server.js';
import type { FakeFeedServer } from './fake-server.js';
import { feedItemKey, mapRssItem, parseFeed } from './map.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuardedFetch } from '../../platform/guarded-http.js';
import type { Resolver } from '../../platform/ssrf.js';
import { createRssAdapter } from './rss.connector.js';

// The fake site listens on loopback; the admin's allow-list lets these tests reach it.
const local = { fetch: createGuardedFetch({ allow: ['127.0.0.1'] }) };

describe('mapRssItem', () => {
  it('maps an RSS item with HTML content to a listening post with safe text', async () => {
    const feed = await parseFeed(`<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Blog</title>
      <item><title>Acme router review</title><link>https://blog.test/acme-router</link><guid>tag:blog.test,2026:1</guid><dc:creator>Jo</dc:creator>
      <pubDate>Sun, 22 Nov 2026 10:00:00 GMT</pubDate><content:encoded><![CDATA[<p>It <b>drops</b> Wi-Fi<script>alert(1)</script> daily.</p>]]></content:encoded></item></channel></rss>`);
    const envelope = envelopeSchema.parse(mapRssItem(feed.items[0]!, 'ch', { url: 'https://blog.test/feed', title: feed.title }));
    expect(envelope).toMatchObject({
      externalId: 'tag:blog.test,2026:1', kind: 'post', visibility: 'public', listening: true, subject: 'Acme router review',
      url: 'https://blog.test/acme-router', createdAt: '2026-11-22T10:00:00.000Z', author: { platformId: 'blog.test:Jo', handle: 'Jo' },
    });
    expect(envelope.text).toBe('Acme router review\n\nIt drops Wi-Fi daily.');
  });

  it('keys items without guid by link, then by a hash, capped at 256 characters', () => {
    expect(feedItemKey({ link: 'https://x.test/a' })).toBe('https://x.test/a');
    expect(feedItemKey({ title: 't', isoDate: '2026-01-01T00:00:00Z' })).toMatch(/^h:[0-9a-f]{40}$/);
    expect(feedItemKey({ link: `https://x.test/${'a'.repeat(300)}` })).toMatch(/^h:/);
  });
});

describe('RSS/Atom adapter against the fake site', () => {
  let server: FakeFeedServer;
  beforeEach(async () => {
    server = await startFakeFeedServer();
  });
  afterEach(async () => {
    await server.close();
  });

  for (const format of ['rss', 'atom'] as const) {
    it(`polls ${format} with conditional GET, dedupes across a restart, and reports edits as new versions`, async () => {
      const feedUrl = format === 'rss' ? server.rssUrl : server.atomUrl;
      const make = () => createRssAdapter({ id: 'ch-rss', platform: 'rss', config: { feeds: [feedUrl] }, credentials: {}, ownAccountIds: [] }, local);
      const first = server.add({ title: 'Acme X1 review', html: '<p>battery is weak</p>', author: 'Jo' });
      const second = server.add({ title: 'Forum: Acme login loop', html: '<p>cannot log in</p>', author: 'Sam' });
      const a = make();
      const r1 = await a.poll!(null);
      expect(r1.envelopes.map((e) => e.externalId)).toEqual([first.id, second.id]);
      for (const e of r1.envelopes) envelopeSchema.parse(e);

      const r2 = await a.poll!(r1.cursor);
      expect(r2.envelopes).toEqual([]);
      expect(server.hits.at(-1)).toEqual({ path: `/${format}.xml`, status: 304 });

      const third = server.add({ title: 'Acme support was great', html: 'quick refund', author: 'Lee' });
      server.edit(first.id, '<p>battery is weak, update: fixed by firmware</p>');
      const restarted = make();
      const r3 = await restarted.poll!(r2.cursor);
      expect(r3.envelopes.map((e) => [e.externalId, Boolean(e.editedAt)])).toEqual([[first.id, true], [third.id, false]]);
      expect(r3.envelopes[0]?.text).toContain('fixed by firmware');
      expect((await restarted.poll!(r3.cursor)).envelopes).toEqual([]);
    });
  }

  it('filters by keywords and listening queries when configured', async () => {
    server.add({ title: 'Unrelated', html: 'cats', author: 'A' });
    const hit = server.add({ title: 'Acme outage?', html: 'site down', author: 'B' });
    server.add({ title: 'Acme is hiring', html: 'outage engineers wanted', author: 'C' });
    const byKeyword = createRssAdapter({ id: 'c', platform: 'rss', config: { feeds: [server.rssUrl], keywords: ['ACME'] }, credentials: {}, ownAccountIds: [] }, local);
    expect((await byKeyword.poll!(null)).envelopes).toHaveLength(2);
    const byQuery = createRssAdapter({ id: 'c', platform: 'rss', config: { feeds: [server.rssUrl], listeningQueries: ['acme AND (outage OR down) -hiring'] }, credentials: {}, ownAccountIds: [] }, local);
    expect((await byQuery.poll!(null)).envelopes.map((e) => e.externalId)).toEqual([hit.id]);
    const broken = createRssAdapter({ id: 'c', platform: 'rss', config: { feeds: [server.rssUrl], listeningQueries: ['"unterminated'] }, credentials: {}, ownAccountIds: [] }, local);
    await expect(broken.poll!(null)).rejects.toMatchObject({ retryable: false, platformCode: 'listening_query' });
  });

  it('maps 429 to a retryable error with Retry-After, a vanished feed to a permanent one, and refuses to send', async () => {
    const a = createRssAdapter({ id: 'c', platform: 'rss', config: { feeds: [server.rssUrl] }, credentials: {}, ownAccountIds: [] }, local);
    server.failNext(429, { 'retry-after': '120' });
    await expect(a.poll!(null)).rejects.toMatchObject({ retryable: true, retryAfterMs: 120_000 });
    server.failNext(410);
    await expect(a.poll!(null)).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/gone/) });
    const error = await a.send({ idempotencyKey: 'k', channelId: 'c', kind: 'reply', text: 'hi', inReplyToExternalId: 'https://blog.test/p/1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ retryable: false, platformCode: 'read_only' });
    expect((error as Error).message).toMatch(/reply on the site itself at https:\/\/blog\.test\/p\/1/);
  });
});

describe('RSS/Atom feeds reach only public addresses unless allowed', () => {
  let server: FakeFeedServer;
  let redirector: Server;
  let redirectorPort = 0;
  // Public-looking names that DNS (injected) answers with loopback, where the fake site listens.
  const resolve: Resolver = async (host) => (host.endsWith('.example') ? [{ address: '127.0.0.1', family: 4 }] : []);
  beforeEach(async () => {
    server = await startFakeFeedServer();
    redirector = createServer((req, res) => res.writeHead(301, { location: `http://internal.example:${new URL(server.url).port}/rss.xml` }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    redirectorPort = (redirector.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await server.close();
    await new Promise((r) => redirector.close(r));
  });
  const adapter = (feed: string, allow: string[]) =>
    createRssAdapter({ id: 'c', platform: 'rss', config: { feeds: [feed] }, credentials: {}, ownAccountIds: [] }, { fetch: createGuardedFetch({ allow, resolve }) });
  const feedOn = (host: string) => `http://${host}:${new URL(server.url).port}/rss.xml`;

  it('refuses a feed whose public-looking name resolves to loopback, permanently, without a request', async () => {
    server.add({ title: 'Acme', html: 'x', author: 'Jo' });
    const error = await adapter(feedOn('blog.example'), []).poll!(null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ retryable: false, platformCode: 'private_address' });
    expect(server.hits).toEqual([]);
    // The adapter built alone (no context) allows no private target either.
    const alone = createRssAdapter({ id: 'c', platform: 'rss', config: { feeds: [server.rssUrl] }, credentials: {}, ownAccountIds: [] });
    await expect(alone.poll!(null)).rejects.toMatchObject({ platformCode: 'private_address' });
  });

  it('fetches the feed when the allow-list names the host', async () => {
    const item = server.add({ title: 'Acme', html: 'x', author: 'Jo' });
    const result = await adapter(feedOn('blog.example'), ['blog.example']).poll!(null);
    expect(result.envelopes.map((e) => e.externalId)).toEqual([item.id]);
  });

  it('re-checks a redirect: an allowed feed host cannot send the fetch on to a private address', async () => {
    server.add({ title: 'Acme', html: 'x', author: 'Jo' });
    const feed = `http://allowed.example:${redirectorPort}/feed`;
    await expect(adapter(feed, ['allowed.example']).poll!(null)).rejects.toMatchObject({ platformCode: 'private_address' });
    expect(server.hits).toEqual([]);
    // Allowing the redirect's target too lets it through, so the refusal above was the redirect check.
    expect((await adapter(feed, ['allowed.example', 'internal.example']).poll!(null)).envelopes).toHaveLength(1);
  });
});
