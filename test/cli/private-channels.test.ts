import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-cli-private-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('parley channel add for the private channels', () => {
  it('adds web chat, feedback form and phone channels, seals the phone secret, and checks each honestly', async () => {
    const secret = 'pbx-secret-that-must-stay-sealed-42';
    const phone = await runCli(['channel', 'add', '--platform', 'phone', '--name', 'Hotline', '--config', '{"defaultCountry":"US"}', '--credentials', JSON.stringify({ signingSecret: secret })], { dataDir });
    expect(phone.code, phone.stderr).toBe(0);
    const phoneId = phone.stdout.trim();
    expect(phone.stdout + phone.stderr).not.toContain(secret);
    // Sealed at rest: the SQLite file never holds the secret in the clear.
    const storeFiles = readdirSync(dataDir).filter((f) => f.startsWith('parley.db'));
    expect(storeFiles.length).toBeGreaterThan(0);
    for (const file of storeFiles) expect(readFileSync(path.join(dataDir, file)).includes(Buffer.from(secret)), file).toBe(false);

    const chat = await runCli(['channel', 'add', '--platform', 'chat', '--name', 'Website', '--config', '{"allowedOrigins":["https://shop.acme.example"]}'], { dataDir });
    expect(chat.code, chat.stderr).toBe(0);
    const form = await runCli(['channel', 'add', '--platform', 'form', '--name', 'Feedback', '--config', '{}'], { dataDir });
    expect(form.code, form.stderr).toBe(0);

    const [phoneTest, chatTest, formTest] = [
      await runCli(['channel', 'test', phoneId], { dataDir }),
      await runCli(['channel', 'test', chat.stdout.trim()], { dataDir }),
      await runCli(['channel', 'test', form.stdout.trim()], { dataDir }),
    ];
    expect(phoneTest.stdout).toMatch(/^ok: .*\/webhooks\/phone\//);
    expect(chatTest.stdout).toMatch(/^ok: .*https:\/\/shop\.acme\.example/);
    expect(formTest.code).toBe(1);
    expect(formTest.stdout).toMatch(/^failed: .*cannot reach the customer/);
  }, 240_000);
});
