import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/server/platform/ids.js';
import type { NewMessage } from '../../src/server/repositories/messages.repository.js';
import { createChannel, createUser, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { chromiumPath, hasChromium, screenshots, seriousViolations, signIn, startWorkspace, type Workspace } from './browser.js';

const skip = !hasChromium && !process.env.CI;
if (skip) console.warn(`[e2e] skipping the inbox search journey: ${chromiumPath} is missing (apt-get install -y chromium); in CI it always runs.`);

const email = 'grace@acme.test';
const password = 'correct horse battery';
const total = 260;
const pad = (i: number) => `conv-${String(i).padStart(4, '0')}`;
const topics = ['router keeps rebooting', 'refund for a double charge', 'fibre appointment missed', 'roaming charges abroad', 'voicemail stopped working'];

/** Many conversations straight into the store (the pipeline is covered elsewhere): newest is number total-1. */
const seed = async (app: TestApp, channelId: string): Promise<void> => {
  const now = Date.now();
  const conversations = [];
  const messages: NewMessage[] = [];
  for (let i = 0; i < total; i += 1) {
    const id = pad(i);
    const at = now - (total - i) * 60_000;
    conversations.push({ id, channelId, brandId: null, customerId: null, threadKey: id, visibility: 'public', subject: null, createdAt: at });
    const text = i === 17 || i === 203 ? `customer ${i}: my zephyrine modem is on fire, ${topics[i % topics.length]}` : `customer ${i}: ${topics[i % topics.length]}`;
    messages.push({
      id: newId(), channelId, externalId: `seed-${i}`, direction: 'in', kind: 'post', visibility: 'public',
      author: { platformId: `p${i}`, handle: `cust${i}`, displayName: null, followers: 10, verified: false, email: null },
      text, subject: null, attachments: [], inReplyTo: null, threadKey: id, url: null, listening: false,
      createdAt: at, receivedAt: at, editedAt: null, stage: 'decided', html: null, raw: null, conversationId: id, customerId: null,
    });
  }
  await app.repos.conversations.createMany(conversations);
  await app.repos.messages.insertMany(messages);
  await app.repos.conversations.recordActivities(messages.map((m) => ({ id: m.conversationId!, messageId: m.id, at: m.createdAt, preview: m.text, direction: 'in', customerId: null, sentiment: null, intent: null, language: null })));
  // A few overdue SLA clocks for the SLA filter.
  for (const i of [5, 6, 7]) await app.store.db.updateTable('conversations').set({ sla_due_at: now - 10 * 60_000 }).where('id', '=', pad(i)).execute();
};

const focusedIndex = (page: Page) => page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-index') ?? null);

describe.skipIf(skip)('inbox search, virtualised list and SLA settings in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let workspace: Workspace | undefined;
  let channelId: string;

  beforeAll(async () => {
    workspace = await startWorkspace();
    app = workspace.app;
    channelId = (await createChannel(app)).id;
    await createUser(app, 'admin', { email, password, status: 'online' });
    await seed(app, channelId);
    ({ baseUrl, browser } = await workspace.serve());
  }, 240_000);

  afterAll(async () => {
    await workspace?.close();
  });

  it('renders only the rows in sight, loads more pages while scrolling, and j/k/Enter/e work far down the list', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, baseUrl, email, password);
    await page.goto(`${baseUrl}/?view=all`);
    const rows = page.locator('ul.rows > li');
    await rows.first().waitFor();
    expect(await rows.first().getAttribute('data-conversation-id')).toBe(pad(total - 1));
    // 260 conversations, one page of 50 loaded, and only the visible ones (plus a few) in the DOM.
    expect(await rows.count()).toBeLessThan(40);

    // Keyboard: 60 rows down crosses the first page boundary; the focused row is always the selected one.
    await page.locator('body').click({ position: { x: 900, y: 400 } });
    for (let i = 0; i < 60; i += 1) await page.keyboard.press('j');
    await expect.poll(() => focusedIndex(page)).toBe('60');
    await page.keyboard.press('k');
    await expect.poll(() => focusedIndex(page)).toBe('59');
    expect(await rows.count()).toBeLessThan(40);
    await page.keyboard.press('Enter');
    const openedId = pad(total - 1 - 59);
    await page.waitForURL(new RegExp(`/c/${openedId}`));
    await page.locator('.timeline .message-text').first().waitFor();
    expect(await page.locator('.timeline .message-text').first().textContent()).toContain(`customer ${total - 1 - 59}:`);
    // e resolves the open conversation (its shortcut lives in the conversation view; the list must not swallow it).
    await page.locator('.timeline').click();
    await page.keyboard.press('e');
    await expect.poll(async () => (await app.repos.conversations.get(openedId))?.status).toBe('resolved');

    // Scrolling to the end loads every keyset page.
    await page.goto(`${baseUrl}/?view=all&status=any`);
    await rows.first().waitFor();
    await expect
      .poll(
        async () => {
          await page.locator('section.inbox').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
          return page.locator('.list-end').count();
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(1);
    expect(await page.locator('.list-end').textContent()).toContain(`${total} conversations`);
    await expect
      .poll(async () => {
        await page.locator('section.inbox').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
        return rows.last().getAttribute('aria-posinset');
      })
      .toBe(String(total));
    expect(await rows.count()).toBeLessThan(40);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('searches with / and filters, shows live arrivals that match, and says what to do when nothing does', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, baseUrl, email, password);
    await page.goto(`${baseUrl}/?view=all`);
    const rows = page.locator('ul.rows > li');
    await rows.first().waitFor();

    await page.locator('body').click({ position: { x: 900, y: 400 } });
    await page.keyboard.press('/');
    const box = page.getByRole('searchbox', { name: 'Search messages' });
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill('zephyrine modem');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=zephyrine/);
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')))).toEqual(['conv-0203', 'conv-0017']);

    // A new message that matches arrives while the search is on screen.
    await app.services.ingest(parseEnvelopes([envelope(channelId, { text: '@AcmeTelecom the zephyrine modem from your shop just died' })]));
    await app.worker.drain();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    expect(await rows.first().textContent()).toContain('just died');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'inbox-search.png') });

    // Exclusions and phrases; Esc clears the search and the whole list is back.
    await box.fill('zephyrine -died');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(2);
    await box.fill('"fire modem"');
    await page.keyboard.press('Enter');
    await page.getByText('No messages match').waitFor();
    await box.press('Escape');
    await expect.poll(() => rows.count()).toBeGreaterThan(10);

    // The SLA filter (under More filters) together with a search.
    await page.getByRole('button', { name: /More filters/ }).click();
    await page.getByLabel('SLA').selectOption('breached');
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')))).toEqual(['conv-0007', 'conv-0006', 'conv-0005']);
    await box.fill('refund');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')))).toEqual(['conv-0006']);
    await page.screenshot({ path: path.join(screenshots, 'inbox-filters.png') });

    // The My teams and Incidents views: the admin is in no team; one conversation belongs to an incident.
    await app.store.db.updateTable('conversations').set({ incident_id: 'inc-e2e' }).where('id', '=', pad(6)).execute();
    await box.press('Escape');
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('button', { name: 'Incidents' }).click();
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')))).toEqual([pad(6)]);
    await page.getByRole('button', { name: 'My teams' }).click();
    await page.getByText('No conversations here').waitFor();
    expect(await page.getByText('you are in no team yet').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('creates, edits and deletes an SLA policy with business hours in Settings', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, baseUrl, email, password);
    await page.goto(`${baseUrl}/settings/sla`);
    await page.getByRole('button', { name: 'New SLA policy' }).click();
    const form = page.getByRole('form', { name: 'New SLA policy' });
    await form.getByLabel('Policy name').fill('VIP email');
    await form.getByLabel('email', { exact: true }).check();
    await form.getByLabel('First response').fill('30');
    await form.getByRole('button', { name: 'Add override' }).click();
    const override = form.getByRole('group', { name: 'Override 1' });
    await override.getByLabel('Customer tier').selectOption('mega');
    await override.getByLabel('First response').fill('10');
    await form.getByLabel('Clocks run only during business hours').check();
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Saturday').fill('10:00-14:00');
    await form.getByLabel('Holidays').fill('2026-12-25, 2026-12-26');

    // A malformed day is refused in the form, naming the day.
    await form.getByLabel('Monday').fill('nine to five');
    await form.getByRole('button', { name: 'Create policy' }).click();
    await form.getByRole('alert').filter({ hasText: 'Monday' }).waitFor();
    await form.getByLabel('Monday').fill('08:30-12:00, 13:00-17:00');
    await page.screenshot({ path: path.join(screenshots, 'settings-sla-edit.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('rowheader', { name: 'VIP email' }).waitFor();

    const [stored] = await app.services.sla.list();
    expect(stored).toMatchObject({ name: 'VIP email', appliesTo: { channels: ['email'] }, calendar: { timeZone: 'Europe/Berlin', holidays: ['2026-12-25', '2026-12-26'] } });
    expect(stored!.policy).toMatchObject({ businessHours: true, defaults: { firstResponseMinutes: 30 }, overrides: [{ tier: 'mega', targets: { firstResponseMinutes: 10 } }] });
    expect(stored!.calendar.hours.mon).toEqual([{ open: '08:30', close: '12:00' }, { open: '13:00', close: '17:00' }]);
    expect(stored!.calendar.hours.sat).toEqual([{ open: '10:00', close: '14:00' }]);

    await page.getByRole('button', { name: 'Edit VIP email' }).click();
    const edit = page.getByRole('form', { name: 'Edit VIP email' });
    await edit.getByLabel('Resolution').first().fill('600');
    await edit.getByRole('button', { name: 'Save policy' }).click();
    await edit.waitFor({ state: 'detached' });
    expect((await app.services.sla.get(stored!.id)).policy.defaults.resolutionMinutes).toBe(600);
    await page.screenshot({ path: path.join(screenshots, 'settings-sla.png'), fullPage: true });

    await page.getByRole('button', { name: 'Delete VIP email' }).click();
    await page.getByRole('button', { name: 'Really delete VIP email?' }).click();
    await page.getByRole('rowheader', { name: 'VIP email' }).waitFor({ state: 'detached' });
    expect(await app.services.sla.list()).toEqual([]);
    await page.close();
  });

  it('takes the next conversation with the button or n: the longest overdue first, claimed and opened', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, baseUrl, email, password);
    await page.goto(`${baseUrl}/?view=all`);
    await page.locator('ul.rows > li').first().waitFor();
    await page.getByRole('button', { name: 'Take next' }).click();
    // Every seeded post is past the 15-minute horizon; conv-0000 has waited longest (260 minutes), longer than
    // conv-0005..0007 have been past their SLA due time: the earliest deadline first.
    await page.waitForURL((url) => url.pathname === `/c/${pad(0)}`);
    const admin = (await app.repos.users.list()).find((u) => u.email === email)!;
    expect((await app.repos.conversations.get(pad(0)))!.assigneeId).toBe(admin.id);
    // Answered, the next-longest wait comes.
    await app.store.db.updateTable('conversations').set({ last_message_direction: 'out' }).where('id', '=', pad(0)).execute();
    await page.locator('body').click({ position: { x: 900, y: 700 } });
    await page.keyboard.press('n');
    await page.waitForURL((url) => url.pathname === `/c/${pad(1)}`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
