import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createTestApp, type TestApp } from '../support/test-app.js';
import { chromiumPath, hasChromium, launchChromium, screenshots, seriousViolations } from './browser.js';

const skip = !hasChromium && !process.env.CI;
if (skip) console.warn(`[e2e] skipping the web chat journey: ${chromiumPath} is missing (apt-get install -y chromium); in CI it always runs.`);

/** The company's own site on another origin, embedding the widget with the snippet the API hands out. */
const startSite = (snippet: string): Promise<{ server: Server; url: string }> =>
  new Promise((resolve) => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="en"><head><title>Acme shop</title></head><body><h1>Acme shop</h1><p>Order help</p>${snippet}</body></html>`);
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });

describe.skipIf(skip)('web chat widget in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let site: { server: Server; url: string };
  let channelId: string;

  beforeAll(async () => {
    app = await createTestApp('sqlite', { channelRunners: { reconcileMs: 50, backoffStartMs: 10, backoffCapMs: 200 } });
    await app.http.listen({ port: 0, host: 'localhost' });
    const parleyUrl = `http://localhost:${(app.http.server.address() as AddressInfo).port}`;
    // The site's origin must be known before the channel is created; reserve it first.
    site = await startSite('');
    channelId = (await app.services.channels.create({ platform: 'chat', name: 'Website chat', config: { allowedOrigins: [site.url], title: 'Ask Acme', pollMs: 100 } }, admin)).id;
    const snippet = `<script src="${parleyUrl}/widget/chat.js" data-parley-channel="${channelId}" async></script>`;
    site.server.removeAllListeners('request');
    site.server.on('request', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="en"><head><title>Acme shop</title></head><body><h1>Acme shop</h1><p>Order help</p>${snippet}</body></html>`);
    });
    await app.start(['worker', 'scheduler']);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.server.close(resolve));
    await app?.dispose();
  });

  it('loads on another site, sends a message, shows the agent reply live and keeps the session across a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(site.url);
    const widget = page.locator('[data-parley-chat]');
    await widget.getByRole('button', { name: 'Ask Acme' }).click();
    await widget.getByText('we usually answer within minutes').waitFor();
    await widget.getByLabel('Your message').fill('Hi, my order #4411 has not arrived');
    await widget.getByRole('button', { name: 'Send' }).click();
    await widget.locator('.msg.visitor', { hasText: 'order #4411' }).waitFor();

    const token = (await page.evaluate(`localStorage.getItem('parley.chat.${channelId}')`)) as string;
    expect(token).toMatch(/^v1\.[\w-]{22}\.[\w-]{43}$/);
    const visitorId = token.split('.')[1] as string;

    // The agent side: the message went through the pipeline into a conversation; an agent answers it.
    const deadline = Date.now() + 15_000;
    let conversationId: string | null = null;
    while (!conversationId && Date.now() < deadline) {
      const row = await app.store.db.selectFrom('messages').select('conversation_id').where('channel_id', '=', channelId).where('author_platform_id', '=', visitorId).executeTakeFirst();
      conversationId = row?.conversation_id ?? null;
      if (!conversationId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(conversationId).toBeTruthy();
    await app.services.conversations.reply(conversationId as string, { text: 'Sorry about that! It ships today.' }, admin);

    // Live: the reply appears without any reload.
    await widget.locator('.msg.agent', { hasText: 'It ships today' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(screenshots, 'webchat-widget.png') });
    expect(await seriousViolations(page)).toEqual([]);

    await page.reload();
    await widget.getByRole('button', { name: 'Ask Acme' }).click();
    await widget.locator('.msg.agent', { hasText: 'It ships today' }).waitFor();
    expect(await widget.locator('.msg.visitor').allTextContents()).toEqual(['Hi, my order #4411 has not arrived']);
    expect(await page.evaluate(`localStorage.getItem('parley.chat.${channelId}')`)).toBe(token);
    expect(failures).toEqual([]);
  }, 120_000);
});
