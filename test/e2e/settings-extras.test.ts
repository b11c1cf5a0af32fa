import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { hasChromium, screenshots, seriousViolations, startWorkspace, type Workspace, signIn } from './browser.js';

const skip = !hasChromium && !process.env.CI;
const password = 'correct horse battery';
const expectAccessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

describe.skipIf(skip)('schedule rules, the web chat snippet and phone callbacks in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let workspace: Workspace | undefined;
  let phoneConversationId: string;
  const email = 'root@acme.test';

  beforeAll(async () => {
    workspace = await startWorkspace();
    app = workspace.app;
    await app.services.users.create({ email, name: 'Root Admin', role: 'admin', password }, admin);
    await app.services.channels.create({ platform: 'chat', name: 'Website chat', config: { allowedOrigins: ['https://www.acme.test'] } }, admin);
    const phone = await app.services.channels.create({ platform: 'phone', name: 'Hotline', config: { defaultCountry: 'GB' } }, admin);
    await app.services.ingest(
      parseEnvelopes([
        envelope(phone.id, {
          externalId: 'voicemail:c-1',
          kind: 'call',
          visibility: 'private',
          author: { platformId: '+447911123456', handle: '+44 7911 123456', displayName: 'Jane Doe', followers: 0, verified: false },
          text: 'Please call me back about my bill',
          threadKey: 'caller:+447911123456',
        }),
      ]),
    );
    await app.worker.drain();
    phoneConversationId = (await app.store.db.selectFrom('conversations').select('id').where('channel_id', '=', phone.id).executeTakeFirstOrThrow()).id;
    ({ baseUrl, browser } = await workspace.serve());
  }, 240_000);

  afterAll(async () => {
    await workspace?.close();
  });

  it('adds a schedule rule with its interval and shows the chat channel embed snippet', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, baseUrl, email, password);
    await page.getByRole('link', { name: 'Settings' }).click();

    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByLabel('Rule name').fill('Nudge stale billing');
    await page.getByLabel('Trigger').selectOption('schedule');
    await page.getByLabel('Every N minutes').fill('30');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const listed = page.locator('li.rule', { has: page.getByRole('heading', { name: /Nudge stale billing/ }) });
    await listed.getByText('every 30 minutes').waitFor();
    await listed.getByText('schedule', { exact: true }).waitFor();
    const stored = (await app.services.rules.list()).find((r) => r.rule.name === 'Nudge stale billing');
    expect(stored?.rule).toMatchObject({ trigger: 'schedule', everyMinutes: 30, enabled: false });
    // Switching it on keeps the interval.
    await page.getByRole('button', { name: 'Enable Nudge stale billing' }).click();
    await page.getByRole('button', { name: 'Disable Nudge stale billing' }).waitFor();
    expect((await app.services.rules.list()).find((r) => r.rule.name === 'Nudge stale billing')?.rule).toMatchObject({ enabled: true, everyMinutes: 30 });
    // incident_detected is offered too, with what it runs over.
    await page.getByLabel('Trigger').selectOption('incident_detected');
    await page.getByText(/suspected and again when it is confirmed/).waitFor();
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Channels' }).click();
    const snippet = page.getByLabel('Embed snippet for Website chat');
    await expect.poll(() => snippet.inputValue()).toContain('data-parley-channel');
    expect(await snippet.getAttribute('readonly')).not.toBeNull();
    expect(await snippet.inputValue()).toContain('/widget/chat.js');
    await page.getByText('Paste it before </body> on https://www.acme.test.').waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'settings-channels-snippet.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('records a phone callback: a note naming the number, and the conversation sleeps until it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, baseUrl, email, password);
    await page.goto(`${baseUrl}/c/${encodeURIComponent(phoneConversationId)}`);
    await page.getByText('Please call me back about my bill').first().waitFor();
    await page.getByText('Record callback', { exact: true }).first().click();
    const form = page.getByRole('form', { name: 'Record a callback' });
    const due = new Date(Date.now() + 2 * 3_600_000);
    const local = new Date(due.getTime() - due.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await form.getByLabel('Call back at').fill(local);
    await form.getByLabel(/^Note for whoever calls/).fill('Ask about the duplicate charge');
    await expectAccessible(page);
    await form.getByRole('button', { name: 'Record callback' }).click();
    await page.getByRole('status').filter({ hasText: 'Callback recorded: call +447911123456' }).waitFor();
    await page.getByText(/Callback: call \+447911123456 at .*Ask about the duplicate charge/).waitFor();
    await page.getByText(/snoozed until/).waitFor();
    const { conversation, notes } = await app.services.conversations.get(phoneConversationId);
    expect(conversation.status).toBe('snoozed');
    expect(notes.some((n) => n.body.includes('Ask about the duplicate charge'))).toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'conversation-callback.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
