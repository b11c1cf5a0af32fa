import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createChannel, createUser, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { chromiumPath, hasChromium, screenshots, seriousViolations, startWorkspace, type Workspace } from './browser.js';

const skip = !hasChromium && !process.env.CI;
if (skip) console.warn(`[e2e] skipping the workspace journey: ${chromiumPath} is missing (apt-get install -y chromium); in CI it always runs.`);

const email = 'ada@acme.test';
const password = 'correct horse battery';

describe.skipIf(skip)('agent workspace in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let workspace: Workspace | undefined;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    workspace = await startWorkspace();
    app = workspace.app;
    const channelId = (await createChannel(app)).id;
    await createUser(app, 'agent', { email, password, status: 'online', skills: ['lang:en'] });
    await app.services.ingest(
      parseEnvelopes([
        envelope(channelId, { text: '@AcmeTelecom my internet has been down since this morning and nobody answers the phone. Fix it now!' }),
        envelope(channelId, { text: '@AcmeTelecom I was charged twice for my November bill, please refund the extra charge' }),
        envelope(channelId, { text: '@AcmeTelecom thanks, the new router works great' }),
      ]),
    );
    await app.worker.drain();
    await app.services.macros.create({ name: 'Outage holding reply', body: 'Sorry your internet is down: we know about the outage and engineers are on it.' }, admin);
    await app.services.macros.create({ name: 'Double charge refund', body: 'Sorry you were charged twice: the extra charge on your bill is refunded.' }, admin);
    ({ baseUrl, browser } = await workspace.serve());
  }, 240_000);

  afterAll(async () => {
    await workspace?.close();
  });

  it('signs in, works the inbox by keyboard, opens a conversation, is stopped by the PII guard, replies, notes and resolves', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'sign-in.png') });

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/email or password|credentials/i);

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const rows = page.locator('ul.rows > li');
    await rows.first().waitFor();
    // Routing gives the online agent the complaints; "All" with any status lists every conversation.
    expect(await page.locator('.row-preview').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('charged twice')]));
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.getByLabel('Status').selectOption('');
    await page.waitForURL(/view=all&status=any/);
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('button', { name: 'Mine', exact: true }).click();
    await page.getByLabel('Status').selectOption('open');
    await expect.poll(() => page.url()).not.toMatch(/view=/);
    await expect.poll(() => rows.count()).toBeLessThan(3);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'inbox.png') });

    // j/k move the selection; Enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const firstPreview = (await page.locator('.row-preview').first().textContent()) ?? '';
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/c\//);
    const conversationId = decodeURIComponent(new URL(page.url()).pathname.slice(3));
    await page.locator('.timeline .message-text', { hasText: firstPreview.slice(0, 30) }).first().waitFor();
    expect(await page.locator('.message').first().getByText('Public', { exact: true }).count()).toBe(1);
    await page.locator('.classification summary').first().click();
    expect(await page.locator('.classification dl').first().textContent()).toMatch(/Sentiment/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'conversation.png') });

    // Suggested replies: the macro that fits this customer's message is offered; one click puts it in the composer.
    const composer = page.getByLabel(/Public reply/);
    const suggested = page.getByRole('group', { name: 'Suggested replies' }).getByRole('button');
    await suggested.first().waitFor();
    // By keyboard, as agents work: focus the suggestion and press Enter.
    await suggested.first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => composer.inputValue()).toMatch(/^Sorry (your internet is down|you were charged twice)/);

    // The composer counts as X does (280, weighted) and will not send a reply the platform would refuse.
    await expect.poll(async () => (await page.locator('#reply-length').textContent()) ?? '').toMatch(/^\d+ \/ 280 characters/);
    await composer.fill(`${'Sorry for the trouble with your line. '.repeat(8)}`);
    await expect.poll(async () => (await page.locator('#reply-length').textContent()) ?? '').toMatch(/too long for x/);
    expect(await page.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);

    // A public reply with an email address and a card number is refused by the server and the findings are shown.
    await composer.fill('Sorry! Write to me at jane.doe@example.com, and your card 4111 1111 1111 1111 was refunded.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.blocked-text mark').first().waitFor();
    expect(await page.locator('.blocked-text mark').allTextContents()).toEqual(expect.arrayContaining(['jane.doe@example.com']));
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'reply-blocked.png') });

    // The guard offers to move private: a signed link goes into the draft in place of the personal data.
    await page.getByRole('button', { name: /Continue privately/ }).click();
    await page.getByRole('status').filter({ hasText: 'The link works once' }).waitFor();
    expect(await composer.inputValue()).toMatch(/https?:\/\/\S+/);

    await composer.fill('Sorry about the outage, we are on it. Please send us a direct message so we can check your line.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Reply queued' }).waitFor();
    await page.locator('.message-out .message-text', { hasText: 'Sorry about the outage' }).waitFor();

    await page.getByRole('button', { name: 'Note', exact: true }).click();
    await page.getByLabel(/Internal note/).fill('Checked the outage map: area 12 is down.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.note .message-text', { hasText: 'area 12' }).waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, 'conversation-resolved.png') });

    const detail = await app.services.conversations.get(conversationId);
    expect(detail.conversation.status).toBe('resolved');
    // The public reply went out as written, with the proof-of-origin link the workspace adds to public replies.
    const sent = detail.messages.filter((m) => m.direction === 'out').map((m) => m.text);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^Sorry about the outage, we are on it\. Please send us a direct message so we can check your line\.\n\nVerify this reply: \S+\/p\/verify\?code=[A-Z0-9]+$/);
    expect(detail.notes.map((n) => n.body)).toEqual(['Checked the outage map: area 12 is down.']);

    // The dark theme must keep its contrast too.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'conversation-dark.png') });

    // Sign out returns to the sign-in form and the session cookie no longer works.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    expect((await page.request.get(`${baseUrl}/api/v1/auth/session`)).status()).toBe(401);
    expect(cspViolations).toEqual([]);
    await page.close();
  }, 180_000);
});
