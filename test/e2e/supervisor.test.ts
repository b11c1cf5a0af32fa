import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentTracker } from '../../src/server/pipeline/incidents.js';
import { admin, createChannel, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { hasChromium, screenshots, seriousViolations, startWorkspace, type Workspace, signIn } from './browser.js';

const skip = !hasChromium && !process.env.CI;
const password = 'correct horse battery';

const outage = [
  'fibre broadband down in Leeds again, no internet since 9am',
  'is the fibre broadband down in Leeds? nothing works at all',
  'Leeds fibre broadband outage for hours now, working from home is impossible',
  'no fibre broadband in Leeds this morning, router lights red',
  'fibre broadband down across Leeds? my whole street has no internet',
  'still no fibre broadband in Leeds, when will this be fixed',
  'Leeds fibre broadband has been down all morning, useless',
  'fibre broadband totally down in Leeds since breakfast',
];
const topics = ['my bill is wrong again', 'charged twice this month', 'parcel never arrived', 'cannot log in to my account', 'the app keeps crashing', 'router is broken', 'refund still missing', 'engineer never showed up'];
const places = ['Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'London'];

/** The incident detector needs a baseline before a burst stands out: half a day of everyday complaints. */
const warmUp = async (app: TestApp, before: number) => {
  const tracker = createIncidentTracker({ autoConfirmConfidence: null });
  const messages = Array.from({ length: 300 }, (_, i) => ({
    id: `warm-${i}`,
    channelId: 'warm',
    platform: 'x',
    text: `${topics[(i * 7) % topics.length] ?? ''} in ${places[(i * 3) % places.length] ?? ''}, order ${i % 13}`,
    at: before - 12 * 3_600_000 + i * 140_000,
    isComplaint: true,
  }));
  for (let i = 0; i < messages.length; i += 50) await app.uow((tx) => tracker.observe(tx, messages.slice(i, i + 50), Date.now(), () => undefined));
};

const expectAccessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

describe.skipIf(skip)('supervisor, admin and two agents in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let workspace: Workspace | undefined;
  let channelId: string;
  const users = { admin: 'root@acme.test', ada: 'ada@acme.test', bo: 'bo@acme.test' };

  beforeAll(async () => {
    workspace = await startWorkspace({ incidents: { autoConfirmConfidence: null } });
    app = workspace.app;
    channelId = (await createChannel(app)).id;
    await app.services.users.create({ email: users.admin, name: 'Root Admin', role: 'admin', password }, admin);
    for (const [email, name] of [[users.ada, 'Ada Agent'], [users.bo, 'Bo Agent']] as const) {
      const user = await app.services.users.create({ email, name, role: 'agent', password, skills: ['lang:en'] }, admin);
      await app.repos.users.update(user.id, { status: 'online' }, Date.now());
    }
    const start = Date.now() - 10 * 60_000;
    await warmUp(app, start);
    await app.services.ingest(
      parseEnvelopes([
        ...outage.map((text, i) => envelope(channelId, { text: `@AcmeTelecom ${text}`, createdAt: new Date(start + i * 20_000).toISOString() })),
        envelope(channelId, { text: '@AcmeTelecom I was charged twice for my November bill, please refund it', createdAt: new Date(start + 5_000).toISOString() }),
      ]),
    );
    await app.worker.drain();
    ({ baseUrl, browser } = await workspace.serve());
  }, 240_000);

  afterAll(async () => {
    await workspace?.close();
  });

  it('shows the dashboard, changes settings and confirms and acknowledges an incident', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    // The SPA's CSP allows no inline style: charts and settings must render without one.
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await signIn(page, baseUrl, users.admin, password);

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Supervisor dashboard' }).waitFor();
    await page.getByRole('table', { name: 'Agents: availability and load' }).getByText('Ada Agent').waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'supervisor-dashboard.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'supervisor-dashboard-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // Users: add one, promote them, then disable them.
    await page.getByRole('link', { name: 'Settings' }).click();
    const newUser = page.getByRole('form', { name: 'Add a user' });
    await newUser.getByLabel('Name').fill('Grace Hopper');
    await newUser.getByLabel('Email').fill('grace@acme.test');
    await newUser.getByRole('button', { name: 'Add user' }).click();
    const role = page.getByLabel('Role of Grace Hopper');
    await role.waitFor();
    await role.selectOption('supervisor');
    await expect.poll(async () => (await app.services.users.list()).find((u) => u.email === 'grace@acme.test')?.role).toBe('supervisor');
    await page.getByRole('button', { name: 'Disable Grace Hopper' }).click();
    await page.getByRole('button', { name: 'Enable Grace Hopper' }).waitFor();
    expect((await app.services.users.list()).find((u) => u.email === 'grace@acme.test')?.disabled).toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'settings-users.png'), fullPage: true });

    await page.getByRole('link', { name: 'Teams and skills' }).click();
    await page.getByLabel('Team name').fill('Billing');
    await page.getByRole('button', { name: 'Add team' }).click();
    await page.getByRole('heading', { name: /Billing/ }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'settings-teams.png'), fullPage: true });
    expect(cspViolations).toEqual([]);
    await page.getByRole('link', { name: 'Users and roles' }).click();
    // The box reflects the saved membership, so it turns on once the server has stored it: click, then wait for that.
    const billing = page.getByRole('group', { name: 'Teams of Ada Agent' }).getByLabel('Billing');
    await billing.click();
    await expect.poll(() => billing.isChecked()).toBe(true);
    await expect.poll(async () => (await app.services.users.list()).find((u) => u.email === users.ada)?.teamIds.length).toBe(1);
    await page.getByRole('link', { name: 'Channels' }).waitFor();

    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Pause Acme x' }).click();
    await page.getByRole('button', { name: 'Resume Acme x' }).waitFor();
    expect((await app.services.channels.list()).find((c) => c.id === channelId)?.status).toBe('paused');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'settings-channels.png'), fullPage: true });
    await page.getByRole('button', { name: 'Resume Acme x' }).click();
    await page.getByRole('button', { name: 'Pause Acme x' }).waitFor();

    // Rules are created disabled and dry-run against recent traffic; macros and SLA policies are listed.
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByLabel('Rule name').fill('Tag outages');
    await page.getByLabel(/^Conditions/).fill(JSON.stringify({ all: [{ field: 'text', op: 'contains', value: 'broadband' }] }));
    await page.getByLabel(/^Actions/).fill(JSON.stringify([{ type: 'tag', tags: ['outage'] }]));
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('button', { name: 'Dry run Tag outages' }).click();
    await page.getByRole('status').filter({ hasText: /Would fire on \d+ of the last \d+/ }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'settings-rules.png'), fullPage: true });
    await page.getByRole('link', { name: 'Macros' }).click();
    await page.getByLabel('Macro name').fill('Outage apology');
    await page.getByLabel(/^Text/).fill('Sorry for the outage, our engineers are on it.');
    await page.getByRole('button', { name: 'Add macro' }).click();
    await page.getByRole('heading', { name: 'Outage apology' }).waitFor();
    await page.getByRole('link', { name: 'SLA policies' }).click();
    await page.getByRole('table', { name: 'SLA policies' }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'settings-sla.png'), fullPage: true });

    // Incidents: the Leeds burst is suspected; confirm it and answer every member once.
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('list', { name: 'suspected incidents' }).getByRole('link').first().click();
    await page.getByRole('button', { name: 'Confirm incident' }).click();
    await page.getByRole('button', { name: 'Send the acknowledgement' }).click();
    await page.getByRole('status').filter({ hasText: /Acknowledgement queued for \d+ conversations/ }).waitFor();
    const incident = (await app.services.incidents.list({ limit: 10 })).items[0];
    expect(incident?.status).toBe('confirmed');
    expect(incident?.acknowledgement).toMatch(/working on it/);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(screenshots, 'incidents.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('pushes a new message into an open inbox and shows two agents on one conversation', async () => {
    const ada = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    const bo = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
    await signIn(ada, baseUrl, users.ada, password);
    await signIn(bo, baseUrl, users.bo, password);
    await ada.goto(`${baseUrl}/?view=all&status=any`);
    await ada.locator('ul.rows > li').first().waitFor();
    await ada.locator('.live-live').waitFor();

    // A message ingested while the inbox is open is pushed over the event stream: it shows up within seconds, well
    // before the minute-long safety poll that runs while the stream is live (20 s leaves room for a busy machine and
    // still cannot be met by that poll).
    await app.services.ingest(parseEnvelopes([envelope(channelId, { text: '@AcmeTelecom my SIM card stopped working after the update, please help' })]));
    await app.worker.drain();
    const fresh = ada.locator('ul.rows > li', { hasText: 'SIM card stopped working' });
    await fresh.waitFor({ timeout: 20_000 });

    await fresh.getByRole('link').click();
    await ada.waitForURL(/\/c\//);
    const conversationUrl = new URL(ada.url());
    await ada.getByRole('complementary', { name: /Customer/ }).waitFor();
    await bo.goto(`${baseUrl}${conversationUrl.pathname}`);
    await ada.getByText('Bo Agent is viewing').waitFor({ timeout: 20_000 });

    // Bo starts typing: Ada sees it; Ada starts writing too, Bo sends first, Ada's send is held.
    await bo.getByLabel(/Public reply/).fill('Sorry about that! Please restart your phone');
    await ada.getByText('Bo Agent is typing a reply').waitFor({ timeout: 10_000 });
    await ada.getByLabel(/Public reply/).fill('Hi, we are checking your SIM now.');
    await expectAccessible(ada);
    await ada.screenshot({ path: path.join(screenshots, 'collision.png') });
    await bo.getByRole('button', { name: 'Send reply' }).click();
    await bo.getByRole('status').filter({ hasText: 'Reply queued' }).waitFor();
    // Ada's page may already know of Bo's reply, which disables her Send (a plain click would then wait 30 s for it to
    // come back and time out), or learn of it from the server when she sends: click at once either way; both must
    // end in the notice below with her reply held.
    await ada.getByRole('button', { name: 'Send reply' }).click({ force: true });
    await ada.getByRole('alert').filter({ hasText: 'Bo Agent replied' }).waitFor();
    const conversationId = decodeURIComponent(conversationUrl.pathname.slice(3));
    expect((await app.services.conversations.get(conversationId)).messages.filter((m) => m.direction === 'out')).toHaveLength(1);
    await ada.screenshot({ path: path.join(screenshots, 'collision-guard.png') });
    await ada.getByRole('button', { name: 'Send mine anyway' }).click();
    await expect.poll(async () => (await app.services.conversations.get(conversationId)).messages.filter((m) => m.direction === 'out').length).toBe(2);

    // The macro added by the admin above is rendered by the server for this conversation and inserted.
    await ada.getByLabel('Insert a macro').selectOption({ label: 'Outage apology' });
    await expect.poll(() => ada.getByLabel(/Public reply/).inputValue()).toContain('Sorry for the outage');
    await ada.getByLabel(/Public reply/).fill('');

    // Keyboard: ? shows the help, e resolves.
    await ada.locator('body').click({ position: { x: 5, y: 5 } });
    await ada.keyboard.press('?');
    await ada.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await expectAccessible(ada);
    await ada.screenshot({ path: path.join(screenshots, 'shortcuts.png') });
    await ada.keyboard.press('Escape');
    await ada.keyboard.press('e');
    await ada.getByRole('button', { name: /Reopen/ }).waitFor();

    // Tablet width: the conversation takes the screen and the customer panel moves below it.
    await bo.screenshot({ path: path.join(screenshots, 'conversation-tablet.png') });
    await expectAccessible(bo);
    await ada.context().close();
    await bo.context().close();
  }, 120_000);
});
