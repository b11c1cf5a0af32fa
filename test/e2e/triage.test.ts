import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createChannel, createUser, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { chromiumPath, hasChromium, screenshots, seriousViolations, signIn, startWorkspace, type Workspace } from './browser.js';

const skip = !hasChromium && !process.env.CI;
if (skip) console.warn(`[e2e] skipping the triage journey: ${chromiumPath} is missing (apt-get install -y chromium); in CI it always runs.`);

const email = 'grace@acme.test';
const password = 'correct horse battery';

/** Triage by hand in a real browser: correct a label, snooze, merge and undo, split. */
describe.skipIf(skip)('conversation triage in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let workspace: Workspace | undefined;
  const ids = { outage: '', billing: '', stranger: '', jonasFacebook: '', maraFacebook: '' };
  let xChannelId = '';
  const ext = { outage: '', billing: '', followUp: '', reply: '' };

  beforeAll(async () => {
    workspace = await startWorkspace();
    app = workspace.app;
    const channelId = (await createChannel(app)).id;
    xChannelId = channelId;
    await createUser(app, 'agent', { email, password, status: 'online', skills: ['lang:en'] });
    await createUser(app, 'supervisor', { email: 'lin@acme.test', password, status: 'online' });
    const author = { platformId: 'x-rosa', handle: 'rosa_m', displayName: 'Rosa M', followers: 340, verified: false };
    const now = Date.now();
    const outage = envelope(channelId, { threadKey: 'rosa-outage', author, text: '@AcmeTelecom my internet has been down since this morning', createdAt: new Date(now - 50 * 60_000).toISOString() });
    const followUp = envelope(channelId, { threadKey: 'rosa-outage', author, text: '@AcmeTelecom also, separately: can I move my plan to my new flat?', createdAt: new Date(now - 40 * 60_000).toISOString() });
    const reply = envelope(channelId, { threadKey: 'rosa-outage', inReplyTo: followUp.externalId, author, text: '@AcmeTelecom the move is on the 1st of next month', createdAt: new Date(now - 35 * 60_000).toISOString() });
    const billing = envelope(channelId, { threadKey: 'rosa-billing', author, text: '@AcmeTelecom and I was charged twice for November', createdAt: new Date(now - 20 * 60_000).toISOString() });
    const stranger = envelope(channelId, { threadKey: 'other-person', text: '@AcmeTelecom is there an outage in Leeds?', createdAt: new Date(now - 10 * 60_000).toISOString() });
    await app.services.ingest(parseEnvelopes([outage, followUp, reply]));
    await app.worker.drain();
    await app.services.ingest(parseEnvelopes([billing, stranger]));
    await app.worker.drain();
    const conversationOf = async (externalId: string) => (await app.repos.messages.findByExternalIds(channelId, [externalId]))[0]!.conversationId!;
    ids.outage = await conversationOf(outage.externalId);
    ids.billing = await conversationOf(billing.externalId);
    ids.stranger = await conversationOf(stranger.externalId);
    Object.assign(ext, { outage: outage.externalId, billing: billing.externalId, followUp: followUp.externalId, reply: reply.externalId });
    // Weak evidence across platforms (same display name, similar handles) only suggests a merge.
    const facebookId = (await createChannel(app, 'facebook', ['page-1'])).id;
    await app.services.ingest(parseEnvelopes([
      envelope(channelId, { author: { platformId: 'x-jd', handle: 'jonas_dahl', displayName: 'Jonas Dahl' }, text: '@AcmeTelecom my bill doubled', createdAt: new Date(now - 9 * 60_000).toISOString() }),
      envelope(channelId, { author: { platformId: 'x-mk', handle: 'mara_k', displayName: 'Mara Kowalski' }, text: '@AcmeTelecom no signal downtown', createdAt: new Date(now - 9 * 60_000).toISOString() }),
    ]));
    await app.worker.drain();
    const jonasFb = envelope(facebookId, { kind: 'comment', author: { platformId: 'fb-jd', handle: 'jonas.dahl', displayName: 'Jonas Dahl' }, text: 'Same here, my bill doubled', createdAt: new Date(now - 8 * 60_000).toISOString() });
    const maraFb = envelope(facebookId, { kind: 'comment', author: { platformId: 'fb-mk', handle: 'mara.k', displayName: 'Mara Kowalski' }, text: 'No signal here either', createdAt: new Date(now - 8 * 60_000).toISOString() });
    await app.services.ingest(parseEnvelopes([jonasFb, maraFb]));
    await app.worker.drain();
    ids.jonasFacebook = (await app.repos.messages.findByExternalIds(facebookId, [jonasFb.externalId]))[0]!.conversationId!;
    ids.maraFacebook = (await app.repos.messages.findByExternalIds(facebookId, [maraFb.externalId]))[0]!.conversationId!;
    ({ baseUrl, browser } = await workspace.serve());
  }, 240_000);

  afterAll(async () => {
    await workspace?.close();
  });

  const open = async (page: Page, id: string) => {
    await page.goto(`${baseUrl}/c/${encodeURIComponent(id)}`);
    await page.locator('.timeline .message').first().waitFor();
  };

  it('corrects a label with one click, snoozes, merges and undoes, and splits a message off', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, baseUrl, email, password);
    await open(page, ids.outage);

    // One-click correction: the sentiment chip opens a menu of labels.
    const firstMessage = page.locator('.timeline .message').first();
    await firstMessage.getByRole('group', { name: /Classifier labels/ }).waitFor();
    await firstMessage.locator('summary', { hasText: 'Sentiment:' }).click();
    const menu = firstMessage.getByRole('list', { name: 'Correct the sentiment' });
    await menu.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'label-correction.png') });
    await menu.getByRole('button', { name: 'positive' }).click();
    await firstMessage.locator('summary', { hasText: 'Sentiment: positive ✓ (corrected by an agent)' }).waitFor();
    const outageMessage = (await app.repos.messages.findByExternalIds((await app.repos.conversations.get(ids.outage))!.channelId, [ext.outage]))[0]!;
    expect((await app.services.conversations.get(ids.outage)).messages.find((m) => m.id === outageMessage.id)!.classification).toMatchObject({ corrections: { sentiment: 'positive' } });

    // Snooze with a preset: the conversation leaves the open queue, and says until when.
    await page.locator('.conversation-actions summary', { hasText: 'Snooze' }).click();
    await page.getByRole('list', { name: 'Snooze until' }).getByRole('button', { name: /In 4 hours/ }).click();
    await page.locator('.conversation-chips', { hasText: 'snoozed until' }).waitFor();
    expect((await app.repos.conversations.get(ids.outage))!).toMatchObject({ status: 'snoozed' });
    expect((await app.repos.conversations.get(ids.outage))!.snoozedUntil).toBeGreaterThan(Date.now() + 3 * 60 * 60_000);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'conversation-snoozed.png') });

    // Merge the billing conversation into the outage one, picked from the customer's other conversations.
    await open(page, ids.billing);
    await page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge into another conversation' });
    await dialog.getByRole('radio', { name: /the move is on the 1st/ }).check();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'merge-dialog.png') });
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await page.waitForURL(new RegExp(`/c/${ids.outage}`));
    const toast = page.locator('.toast');
    await toast.getByText(/Merged 1 message/).waitFor();
    await page.locator('.timeline .message-text', { hasText: 'charged twice' }).waitFor();
    expect((await app.repos.conversations.get(ids.billing))!).toMatchObject({ status: 'merged', mergedIntoId: ids.outage });
    expect((await app.repos.conversations.get(ids.outage))!).toMatchObject({ messageCount: 4, status: 'open' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'merged-undo-toast.png') });

    // The merged-away conversation is a tombstone that points at its target (the undo offer follows along).
    await page.evaluate((to) => {
      window.history.pushState(null, '', to);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, `/c/${ids.billing}`);
    const tombstone = page.getByRole('region', { name: 'Merged conversation' });
    await tombstone.getByText('This conversation was merged.').waitFor();
    await tombstone.getByRole('button', { name: 'Undo the merge' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await tombstone.getByRole('link', { name: 'the conversation it was merged into' }).click();
    await page.waitForURL(new RegExp(`/c/${ids.outage}`));

    // Undo puts everything back and returns to the conversation that was merged away.
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.waitForURL(new RegExp(`/c/${ids.billing}`));
    await page.locator('.timeline .message-text', { hasText: 'charged twice' }).waitFor();
    expect((await app.repos.conversations.get(ids.billing))!).toMatchObject({ status: 'open', mergedIntoId: null, messageCount: 1 });
    expect((await app.repos.conversations.get(ids.outage))!).toMatchObject({ status: 'snoozed', messageCount: 3 });

    // A different customer's conversation needs an explicit confirmation.
    await page.getByRole('button', { name: 'Merge…' }).click();
    await dialog.getByLabel(/Or a conversation id/).fill(ids.stranger);
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await dialog.getByRole('alert').getByText(/different customer/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await app.repos.conversations.get(ids.billing))!.status).toBe('open');

    // Split the follow-up question and its reply into a conversation of their own.
    await open(page, ids.outage);
    const followUp = page.locator('.timeline .message', { hasText: 'move my plan' });
    await followUp.locator('summary', { hasText: 'Split…' }).click();
    await followUp.getByRole('button', { name: 'This message and its replies' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(ids.outage));
    await page.locator('.timeline .message-text', { hasText: 'the move is on the 1st' }).waitFor();
    await page.locator('.toast').getByText(/Split 2 message/).waitFor();
    const splitId = decodeURIComponent(new URL(page.url()).pathname.slice(3));
    expect((await app.repos.conversations.get(splitId))!).toMatchObject({ messageCount: 2, status: 'open' });
    expect((await app.repos.conversations.get(ids.outage))!.messageCount).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'split-conversation.png') });

    // An internal note @mentions a teammate, picked from the autocomplete; she is told at once in her own session.
    const lin = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(lin, baseUrl, 'lin@acme.test', password);
    await lin.locator('.live-live').waitFor();
    const conversation = page.getByRole('region', { name: 'Conversation' });
    await conversation.getByRole('button', { name: 'Note', exact: true }).click();
    const noteBox = conversation.getByLabel(/Internal note/);
    await noteBox.pressSequentially('Moving flats: @li');
    await conversation.getByRole('listbox', { name: 'Mention a teammate' }).getByRole('option', { name: /@lin/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'mention-autocomplete.png') });
    await noteBox.press('Enter');
    expect(await noteBox.inputValue()).toBe('Moving flats: @lin ');
    await noteBox.pressSequentially('can you confirm the new address?');
    await conversation.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.note .message-text', { hasText: '@lin can you confirm' }).waitFor();
    const notice = lin.locator('.mention-notice', { hasText: 'agent user mentioned you' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('can you confirm the new address');
    expect(await seriousViolations(lin)).toEqual([]);
    await lin.screenshot({ path: path.join(screenshots, 'mention-notice.png') });
    await notice.getByRole('link', { name: 'Open the conversation' }).click();
    await lin.waitForURL(new RegExp(`/c/${splitId}`));
    await lin.close();

    // The split cannot be undone any more: a note was written on the new conversation since. The history says so.
    await conversation.locator('summary', { hasText: 'Merges and splits' }).click();
    await conversation.locator('.operations-history li', { hasText: 'Split off from another conversation (2 messages)' }).getByRole('button', { name: 'Undo' }).click();
    await conversation.getByRole('alert').getByText(/no longer safe: notes were added/).waitFor();
    expect((await app.repos.conversations.get(splitId))!.messageCount).toBe(2);

    const actions = (await app.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'conversation.%').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['conversation.snooze', 'conversation.merge', 'conversation.merge.undo', 'conversation.split']));
    await page.close();
  }, 240_000);

  it('accepts a merge suggestion in the customer panel (and undoes it), and rejects another', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, baseUrl, email, password);
    await open(page, ids.maraFacebook);
    const panel = page.getByRole('complementary', { name: /Mara Kowalski/ });
    const suggestions = panel.getByRole('region', { name: 'Possible duplicates' });
    await suggestions.getByText(/Same person as/).waitFor();
    await suggestions.getByRole('button', { name: 'Not the same' }).click();
    await expect.poll(() => suggestions.count()).toBe(0);
    const mara = (await app.repos.conversations.get(ids.maraFacebook))!.customerId!;
    expect((await app.services.identity.suggestions(mara)).map((s) => s.status)).toEqual(['rejected']);

    await open(page, ids.jonasFacebook);
    const jonasPanel = page.getByRole('complementary', { name: /Jonas Dahl/ });
    await jonasPanel.getByText(/Same person as/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'merge-suggestion.png') });
    const before = (await app.repos.conversations.get(ids.jonasFacebook))!.customerId!;
    await jonasPanel.getByRole('button', { name: /^Merge @jonas_dahl/ }).click();
    await expect.poll(async () => (await app.repos.conversations.get(ids.jonasFacebook))!.customerId).not.toBe(before);
    // The panel now shows one customer with both identities.
    await page.getByRole('complementary').getByRole('heading', { name: /Identities \(2\)/ }).waitFor();
    await page.getByRole('complementary').getByRole('status').filter({ hasText: 'Merged.' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await app.repos.conversations.get(ids.jonasFacebook))!.customerId).toBe(before);
    await page.close();
  }, 120_000);

  it('nudges a holding reply as the deadline nears, sends the workspace macro for it and keeps the draft', async () => {
    await app.services.macros.create({ name: 'Holding reply', body: 'Thanks for bearing with us, we are on it and will be back shortly.', variants: { x: "Thanks {{customer.handle}}, we're on it — back to you shortly." } }, admin);
    // Just past 13 minutes: the nudge reads "13 min" for the next 58 s (was 30 s), room for a page opening slowly on a busy
    // machine.
    const waitedMs = 13 * 60_000 + 2_000;
    const waiting = envelope(xChannelId, { threadKey: 'hold-journey', author: { platformId: 'x-ines', handle: 'ines_p', displayName: 'Ines P', followers: 80, verified: false }, text: '@AcmeTelecom my router keeps rebooting every ten minutes, tried everything', createdAt: new Date(Date.now() - waitedMs).toISOString() });
    // A second customer, acknowledged from the inbox row without opening the conversation.
    const other = envelope(xChannelId, { threadKey: 'hold-row', author: { platformId: 'x-tomas', handle: 'tomas_r', displayName: 'Tomas R', followers: 12, verified: false }, text: '@AcmeTelecom no dial tone on my landline since lunch', createdAt: new Date(Date.now() - 13 * 60_000).toISOString() });
    await app.services.ingest(parseEnvelopes([waiting, other]));
    await app.worker.drain();
    const id = (await app.repos.messages.findByExternalIds(xChannelId, [waiting.externalId]))[0]!.conversationId!;
    const rowId = (await app.repos.messages.findByExternalIds(xChannelId, [other.externalId]))[0]!.conversationId!;
    expect((await app.repos.conversations.get(id))!.firstResponseAt).toBeNull();

    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, baseUrl, email, password);
    await open(page, id);
    const nudge = page.getByRole('status').filter({ hasText: 'send a holding reply now' });
    await nudge.getByText(/The customer has waited 13 min/).waitFor();
    const draft = 'Sorry about the reboots. Could you tell us the model printed under the router and';
    await page.getByLabel('Public reply (everyone can see it)').fill(draft);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'holding-reply-nudge.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    await nudge.getByRole('button', { name: 'Send holding reply' }).click();
    await page.locator('.timeline .message', { hasText: "Thanks @ines_p, we're on it — back to you shortly." }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Holding reply sent' }).waitFor();
    await expect.poll(() => nudge.count()).toBe(0);
    // The draft is untouched, and the holding reply is the first response.
    expect(await page.getByLabel('Public reply (everyone can see it)').inputValue()).toBe(draft);
    const after = (await app.repos.conversations.get(id))!;
    expect(after.firstResponseAt).not.toBeNull();
    expect(after.status).toBe('open');

    // Only to roles that can reply: an analyst sees the row, not the action.
    await createUser(app, 'analyst', { email: 'ada@acme.test', password });
    const analyst = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(analyst, baseUrl, 'ada@acme.test', password);
    await analyst.goto(`${baseUrl}/?view=all`);
    await analyst.locator(`li[data-conversation-id="${rowId}"] a.row-link`).waitFor();
    expect(await analyst.getByRole('button', { name: /Send holding reply/ }).count()).toBe(0);
    await analyst.close();

    // The inbox row offers it too, beside the row link (Tab from the link reaches it), named for the customer.
    const assigneeBefore = (await app.repos.conversations.get(rowId))!.assigneeId;
    await page.goto(`${baseUrl}/?view=all`);
    const row = page.locator(`li[data-conversation-id="${rowId}"]`);
    const action = row.getByRole('button', { name: 'Send holding reply to @tomas_r' });
    await action.waitFor();
    expect(await row.locator('a.row-link button').count()).toBe(0);
    await row.locator('a.row-link').focus();
    await page.keyboard.press('Tab');
    expect(await action.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'holding-reply-row.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Enter');
    await row.getByRole('status').filter({ hasText: 'Holding reply sent to @tomas_r' }).waitFor();
    await expect.poll(() => action.count()).toBe(0);
    // The first response, the answer still owed, nobody claimed, nothing opened.
    const held = (await app.repos.conversations.get(rowId))!;
    expect(held.firstResponseAt).not.toBeNull();
    expect(held.answerOwedSince).not.toBeNull();
    expect(held.status).toBe('open');
    expect(held.assigneeId).toBe(assigneeBefore);
    expect(new URL(page.url()).pathname).toBe('/');

    // A colleague sends one first: the click is refused (409), the customer gets one holding reply, and the composer says why.
    const raced = envelope(xChannelId, { threadKey: 'hold-raced', author: { platformId: 'x-lea', handle: 'lea_m', displayName: 'Lea M', followers: 40, verified: false }, text: '@AcmeTelecom my bill shows a charge I never made', createdAt: new Date(Date.now() - 13.5 * 60_000).toISOString() });
    await app.services.ingest(parseEnvelopes([raced]));
    await app.worker.drain();
    const racedId = (await app.repos.messages.findByExternalIds(xChannelId, [raced.externalId]))[0]!.conversationId!;
    const colleague = await createUser(app, 'agent', { email: 'cole@acme.test', password });
    await open(page, racedId);
    const racedNudge = page.getByRole('status').filter({ hasText: 'send a holding reply now' });
    await racedNudge.getByRole('button', { name: 'Send holding reply' }).waitFor();
    // The colleague's reply lands between this agent's click and the server reading it.
    await page.route(`**/api/v1/conversations/${racedId}/reply`, async (route) => {
      await app.services.conversations.reply(racedId, { text: 'On it, back to you shortly.', holding: true }, { userId: colleague.id, role: 'agent', requestId: 'colleague' });
      await route.continue();
    });
    await racedNudge.getByRole('button', { name: 'Send holding reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Someone already answered the customer’s last message, so no holding reply was sent.' }).waitFor();
    await expect.poll(() => racedNudge.count()).toBe(0);
    const outbound = (await app.services.conversations.get(racedId)).messages.filter((m) => m.direction === 'out');
    expect(outbound.map((m) => m.text)).toEqual([expect.stringContaining('On it, back to you shortly.')]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  }, 120_000);
});
