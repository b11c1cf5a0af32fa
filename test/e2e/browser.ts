import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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
