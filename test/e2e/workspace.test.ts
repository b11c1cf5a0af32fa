import { createHash } from 'node:crypto';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createChannel, createUser, envelope, parseEnvelopes, type TestApp } from '../support/test-app.js';
import { pdf, png } from '../support/media-files.js';
import { chromiumPath, hasChromium, screenshots, seriousViolations, signIn, startWorkspace, type Workspace } from './browser.js';

const skip = !hasChromium && !process.env.CI;
if (skip) console.warn(`[e2e] skipping the workspace journey: ${chromiumPath} is missing (apt-get install -y chromium); in CI it always runs.`);

const email = 'ada@acme.test';
const password = 'correct horse battery';

/** A real RGB PNG of diagonal stripes (support/media-files' PNG is one pixel), so the screenshot shows a visible preview. */
const stripedPng = (size: number, [r, g, b]: [number, number, number]): Buffer => {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Array.from({ length: size }, (_, y) =>
    Buffer.from([0, ...Array.from({ length: size }, (_, x) => (((x + y) >> 2) % 2 ? [r, g, b] : [255, 255, 255])).flat()]),
  );
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
};

describe.skipIf(skip)('agent workspace in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let workspace: Workspace | undefined;
  const cspViolations: string[] = [];
  let xChannelId = '';

  beforeAll(async () => {
    workspace = await startWorkspace();
    app = workspace.app;
    const channelId = (await createChannel(app)).id;
    xChannelId = channelId;
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

  it('attaches images to a reply within the channel\'s media limits, refuses files it cannot carry, and explains channels without media', async () => {
    const customer = envelope(xChannelId, { author: { platformId: 'x-noor', handle: 'noor_a', displayName: 'Noor A', followers: 80, verified: false }, text: '@AcmeTelecom which areas does the outage cover?' });
    const instagramId = (await app.services.channels.create({ platform: 'instagram', name: 'Acme IG', config: { igUserId: '1784', appId: 'app-1' }, credentials: { accessToken: 'ig-token', appSecret: 'ig-secret' } }, admin)).id;
    const comment = envelope(instagramId, { kind: 'comment', author: { platformId: 'ig-noor', handle: 'noor.a', displayName: 'Noor A', followers: 80, verified: false }, text: 'is the outage fixed yet?' });
    await app.services.ingest(parseEnvelopes([customer, comment]));
    await app.worker.drain();
    const conversationId = (await app.repos.messages.findByExternalIds(xChannelId, [customer.externalId]))[0]!.conversationId!;
    const instagramConversation = (await app.repos.messages.findByExternalIds(instagramId, [comment.externalId]))[0]!.conversationId!;

    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const csp: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/attachments')) uploads.push(r.url());
    });
    await signIn(page, baseUrl, email, password);
    await page.goto(`${baseUrl}/c/${encodeURIComponent(conversationId)}`);
    await page.locator('.timeline .message-text', { hasText: 'which areas' }).waitFor();
    const composer = page.locator('form.composer');
    const fileInput = composer.locator('input[type=file]');
    const rejection = composer.getByRole('alert').filter({ hasText: 'Not attached' });
    // The composer says up front what X takes, next to a labelled, keyboard-reachable attach button.
    const attach = composer.getByRole('button', { name: 'Attach files' });
    expect(await attach.isEnabled()).toBe(true);
    await attach.focus();
    expect(await attach.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await composer.locator('#attachment-rules').textContent()).toMatch(/^A reply on X can carry up to 4 files: JPEG, PNG, GIF, WebP or MP4 video, up to 5 MB each/);

    // Checked before any upload: a type X does not carry, and more files than one reply takes.
    await fileInput.setInputFiles({ name: 'terms.pdf', mimeType: 'application/pdf', buffer: pdf() });
    await rejection.getByText('terms.pdf: X does not take PDF.').waitFor();
    expect(await rejection.textContent()).toContain('A reply on X can carry up to 4 files');
    const five = [1, 2, 3, 4, 5].map((n) => ({ name: `photo-${n}.png`, mimeType: 'image/png', buffer: png() }));
    await fileInput.setInputFiles(five);
    await rejection.getByText('5 files is too many: X takes at most 4 files per reply.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'composer-attachment-rejected.png') });
    expect(await composer.getByRole('list', { name: 'Attachments' }).count()).toBe(0);
    expect(uploads).toEqual([]);

    // The server decides a file's type by its bytes: a PDF named and declared as a PNG fails on its chip, with the
    // server's reason, and holds the reply until it is removed.
    await composer.getByLabel(/Public reply/).fill('Details attached.');
    await fileInput.setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: pdf() });
    const failed = composer.getByRole('listitem').filter({ hasText: 'scan.png' });
    await failed.getByRole('alert').getByText(/Upload failed: .*application\/pdf/).waitFor();
    expect(await composer.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await composer.getByText('Retry or remove the file that failed to upload.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await composer.getByRole('button', { name: 'Remove scan.png' }).click();
    expect(await composer.getByRole('button', { name: 'Send reply' }).isEnabled()).toBe(true);

    // Two images upload with a preview of each, one picked and one dropped on the composer; the dropped one is removed again.
    const map = stripedPng(48, [31, 95, 191]);
    const mapUpload = page.waitForResponse((r) => r.url().endsWith('/api/v1/attachments') && r.request().method() === 'POST');
    await fileInput.setInputFiles({ name: 'coverage-map.png', mimeType: 'image/png', buffer: map });
    const mapId = ((await (await mapUpload).json()) as { id: string }).id;
    const dropped = await page.evaluateHandle((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'old-map.png', { type: 'image/png' }));
      return data;
    }, [...png()]);
    await composer.dispatchEvent('dragover', { dataTransfer: dropped });
    await composer.getByText('Drop to attach').waitFor();
    await composer.dispatchEvent('drop', { dataTransfer: dropped });
    expect(await rejection.count()).toBe(0);
    const chips = composer.getByRole('list', { name: 'Attachments' }).getByRole('listitem');
    await expect.poll(() => chips.filter({ hasText: 'Uploaded' }).count()).toBe(2);
    expect(uploads).toHaveLength(3);
    expect(await composer.getByText('Drop to attach').count()).toBe(0);
    const chip = chips.filter({ hasText: 'coverage-map.png' });
    expect(await chip.textContent()).toContain(`${map.length} bytes`);
    expect(await chip.locator('img').getAttribute('src')).toMatch(/^blob:/);
    expect(await chip.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(48);
    await composer.getByRole('button', { name: 'Remove old-map.png' }).click();
    await expect.poll(() => chips.count()).toBe(1);
    await composer.getByRole('status').filter({ hasText: '1 of 1 attachment uploaded' }).waitFor();
    await composer.getByLabel(/Public reply/).fill('Here is the map of the affected area; engineers expect it back by 6pm.');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'composer-attachment.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    const replied = page.waitForResponse((r) => r.url().endsWith('/reply') && r.request().method() === 'POST');
    await composer.getByRole('button', { name: 'Send reply' }).click();
    const response = await replied;
    expect(response.status()).toBe(202);
    expect(response.request().postDataJSON()).toMatchObject({ attachmentIds: [mapId] });
    await page.getByRole('status').filter({ hasText: 'Reply queued' }).waitFor();
    expect(await composer.getByRole('list', { name: 'Attachments' }).count()).toBe(0);

    // The reply's outbox row carries the one remaining upload, the message lists it, and its bytes are the file picked.
    const { messageId } = (await response.json()) as { messageId: string };
    const row = (await app.repos.outbox.listForConversation(conversationId)).find((o) => o.messageId === messageId)!;
    expect((row.payload as { attachmentIds?: string[] }).attachmentIds).toEqual([mapId]);
    const detail = (await (await page.request.get(`${baseUrl}/api/v1/conversations/${encodeURIComponent(conversationId)}`)).json()) as { messages: { id: string; attachments?: unknown[] }[] };
    expect(detail.messages.find((m) => m.id === messageId)!.attachments).toEqual([{ url: `/api/v1/attachments/${mapId}`, contentType: 'image/png', name: 'coverage-map.png', size: map.length }]);
    const bytes = await (await page.request.get(`${baseUrl}/api/v1/attachments/${encodeURIComponent(mapId)}`)).body();
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(map).digest('hex'));
    // The timeline shows the reply with its image, loaded from Parley.
    const sentFile = page.locator('.message-out').getByRole('link', { name: new RegExp(`^coverage-map\\.png\\s*,\\s*${map.length} bytes$`) });
    await sentFile.waitFor();
    await expect.poll(() => sentFile.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(48);
    expect(await seriousViolations(page)).toEqual([]);

    // Instagram comments carry text only: the attach button is off and says why.
    await page.goto(`${baseUrl}/c/${encodeURIComponent(instagramConversation)}`);
    await page.locator('.timeline .message-text', { hasText: 'outage fixed' }).waitFor();
    expect(await composer.getByRole('button', { name: 'Attach files' }).isDisabled()).toBe(true);
    expect(await composer.locator('#attachment-rules').textContent()).toBe('Replies on Instagram cannot carry attachments.');
    // A pasted screenshot is refused with the same explanation, and nothing is uploaded.
    await composer.getByLabel(/Public reply/).evaluate((box, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'screenshot.png', { type: 'image/png' }));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, [...png()]);
    await rejection.getByText('Replies on Instagram cannot carry attachments.').waitFor();
    expect(await rejection.textContent()).toContain('screenshot.png');
    expect(uploads).toHaveLength(3);
    expect(await seriousViolations(page)).toEqual([]);
    expect(csp).toEqual([]);
    await page.close();
  }, 180_000);
});
