import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AppOptions } from '../../src/server/app.js';
import { buildSpa, registerSpa } from '../../src/server/http/spa.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Shared pieces of the browser journeys: Debian's Chromium, axe-core, screenshots, sign-in. */
export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
/** Test artifacts; `PARLEY_SCREENSHOTS_DIR=docs/screenshots npm run test:e2e` refreshes the README's pictures. */
export const screenshots = path.resolve(process.env.PARLEY_SCREENSHOTS_DIR ?? 'test-results/screenshots');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (through the debugger, so the page's CSP stays strict) and returns serious and critical violations. */
export const seriousViolations = async (page: Page): Promise<string[]> => {
  await page.evaluate(`${axeSource};undefined`);
  const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

/** Signs in through the form and waits for the workspace's top bar. */
export const signIn = async (page: Page, baseUrl: string, email: string, password: string): Promise<void> => {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
};

export interface Workspace {
  app: TestApp;
  /** Listens, launches Chromium and readies the screenshot folder; call after seeding. */
  serve(): Promise<{ baseUrl: string; browser: Browser }>;
  close(): Promise<void>;
}

/** A test app serving the SPA built from the current sources (never a stale dist/web), for a browser journey. */
export const startWorkspace = async (options: Partial<AppOptions> = {}): Promise<Workspace> => {
  const distDir = mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
  await buildSpa(distDir);
  const app = await createTestApp('sqlite', options);
  await registerSpa(app.http, distDir);
  let browser: Browser | null = null;
  return {
    app,
    async serve() {
      await app.http.listen({ port: 0, host: '127.0.0.1' });
      browser = await launchChromium();
      mkdirSync(screenshots, { recursive: true });
      return { baseUrl: `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`, browser };
    },
    async close() {
      await browser?.close();
      await app.dispose();
      rmSync(distDir, { recursive: true, force: true });
    },
  };
};
