import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { hashPassword } from '../src/server/platform/crypto.js';
import { buildSpa, registerSpa } from '../src/server/http/spa.js';
import { systemActor } from '../src/shared/permissions.js';
import { seedLargeStore } from './conversation-list.bench.js';
import { createBenchApp } from './support/bench-app.js';
import { percentile } from './support/envelopes.js';
import type { BenchModule } from './types.js';

const chromiumPath = '/usr/bin/chromium';

/**
 * The workspace in Debian's Chromium over a store of 200k conversations and 1M messages: how long until the
 * signed-in inbox shows its rows, and how long opening a conversation takes until its messages are on screen.
 */
export const bench: BenchModule = {
  name: 'browser',
  keys: ['inbox_interactive_ms', 'conversation_open_p95_ms'],
  async run(ctx) {
    if (!existsSync(chromiumPath)) {
      ctx.log(`no Chromium at ${chromiumPath} (apt-get install chromium): figures not measured`);
      return { inbox_interactive_ms: null, conversation_open_p95_ms: null };
    }
    const webDir = path.join(ctx.tmpDir, 'web');
    ctx.log('building the SPA…');
    await buildSpa(webDir);
    const { app, channelId, dispose } = await createBenchApp(path.join(ctx.tmpDir, 'data'), null);
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const actor = systemActor('bench');
      const agents = (await app.repos.users.list()).map((u) => u.id);
      const team = await app.services.teams.create({ name: 'Care', kind: 'service' }, actor);
      ctx.log('seeding 200,000 conversations and 1,000,000 messages…');
      await seedLargeStore(app, [channelId], agents, [team.id], ctx.log);
      const agentId = agents[0]!;
      await app.repos.users.update(agentId, { passwordHash: await hashPassword('bench password 1') }, Date.now());
      const email = (await app.repos.users.get(agentId))!.email;
      await registerSpa(app.http, webDir);
      await app.start(['web']);
      const address = app.http.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

      const page = await browser.newPage();
      await page.goto(`${base}/`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('bench password 1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('ul.rows > li').first().waitFor();

      // Signed in: a fresh load of the app until the inbox rows are on screen, best of a few (cold caches aside).
      const loads: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        await page.goto(`${base}/`);
        await page.locator('ul.rows > li').first().waitFor();
        loads.push(Date.now() - started);
      }
      // The list is virtualised: open rows as they are rendered, scrolling the inbox on when all shown were opened.
      const opened = new Set<string>();
      const opens: number[] = [];
      let previous = '';
      for (let guard = 0; opens.length < 40 && guard < 200; guard += 1) {
        const hrefs = await page.locator('ul.rows > li a[href^="/c/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
        const next = hrefs.find((h) => h && !opened.has(h.split('?')[0]!));
        if (!next) {
          await page.locator('section.inbox').evaluate((el) => el.scrollBy(0, el.clientHeight));
          await page.waitForTimeout(50);
          continue;
        }
        opened.add(next.split('?')[0]!);
        const started = Date.now();
        await page.locator(`ul.rows > li a[href="${next}"]`).first().click();
        await page.waitForFunction((prev) => {
          const el = document.querySelector('.timeline .message-text');
          return el !== null && el.textContent !== prev;
        }, previous);
        opens.push(Date.now() - started);
        previous = (await page.locator('.timeline .message-text').first().textContent()) ?? '';
      }
      if (opens.length < 40) throw new Error(`only ${opens.length} conversations could be opened from the inbox`);
      ctx.log(`inbox loads ${loads.join(', ')} ms; ${opens.length} conversation opens, median ${percentile(opens, 50)} ms`);
      return { inbox_interactive_ms: percentile(loads, 50), conversation_open_p95_ms: percentile(opens, 95) };
    } finally {
      await browser.close();
      await dispose();
    }
  },
};
