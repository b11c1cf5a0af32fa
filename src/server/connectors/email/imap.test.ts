import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/envelope.js';
import type { ChannelAdapter, Cursor, StreamSink } from '../port.js';
import { createEmailAdapter } from './email.connector.js';
import { hasDovecot, startDovecot, startSmtpSink } from './fake-server.js';
import type { DovecotServer, SmtpSink } from './fake-server.js';
import { buildRawEmail } from './smtp.js';

// Needs Debian's dovecot-imapd (CI installs it). Locally without it the suite is skipped, but never in CI.
const runIt = hasDovecot() || process.env.CI === 'true';
const user = { user: 'support@acme.test', password: 'imap-secret' };

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(runIt)('IMAP in, against a real Dovecot', () => {
  let dovecot: DovecotServer;
  let smtp: SmtpSink;
  let n = 0;

  const make = (): ChannelAdapter =>
    createEmailAdapter({
      id: 'ch-mail', platform: 'email',
      config: { address: 'support@acme.test', imap: { host: dovecot.host, port: dovecot.port, secure: false }, smtp: { host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true }, idleDelayMs: 100, reconnectBaseMs: 100 },
      credentials: user, ownAccountIds: [],
    });

  async function deliver(from = 'ann@example.test', extra: Record<string, string> = {}): Promise<string> {
    n++;
    const messageId = `<cust-${n}@example.test>`;
    const raw = await buildRawEmail({ from: { address: from }, to: 'support@acme.test', subject: `Question ${n}`, text: `question number ${n}`, messageId, headers: extra });
    await append(raw);
    return messageId;
  }

  // A fresh connection per APPEND: `doveadm kick` drops every session of the user, a writer's too.
  async function append(raw: Buffer): Promise<void> {
    const writer = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false, doSTARTTLS: false } as ConstructorParameters<typeof ImapFlow>[0]);
    await writer.connect();
    try {
      await writer.append('INBOX', raw);
    } finally {
      await writer.logout();
    }
  }

  beforeAll(async () => {
    dovecot = await startDovecot([user]);
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await smtp?.close();
    await dovecot?.stop();
  });

  it('streams with IDLE, survives a server-side kick, skips echoes and auto-replies, and resumes from the UID cursor', async () => {
    const early = [await deliver(), await deliver()];
    const envelopes: Envelope[] = [];
    let cursor: Cursor = null;
    const health: string[] = [];
    const sink: StreamSink = {
      async deliver(batch, _deletions, next) {
        envelopes.push(...batch);
        cursor = next;
      },
      health: (event) => health.push(event.type),
    };
    const adapter = make();
    const stop = new AbortController();
    const running = adapter.stream!(sink, null, stop.signal);
    await until(() => envelopes.length === 2, 'initial mail');

    const live = await deliver();
    await until(() => envelopes.length === 3, 'mail pushed through IDLE');

    // Our own reply comes back (a CC or a Sent copy), and an auto-reply arrives: neither is a customer message.
    const sent = await adapter.send({ idempotencyKey: 'r1', channelId: 'ch-mail', kind: 'email', text: 'on it', subject: 'Question 1', inReplyToExternalId: early[0], recipient: { platformId: 'ann@example.test', email: 'ann@example.test' } });
    await append(smtp.received.at(-1)!.raw);
    await deliver('bot@example.test', { 'Auto-Submitted': 'auto-replied' });

    dovecot.kick(user.user);
    await until(() => health.includes('disconnected'), 'the kick');
    const afterKick = await deliver();
    await until(() => envelopes.some((e) => e.externalId === afterKick), 'mail after reconnect');
    stop.abort();
    await running;

    expect(envelopes.map((e) => e.externalId)).toEqual([...early, live, afterKick]);
    expect(envelopes.map((e) => e.externalId)).not.toContain(sent.platformMessageId);
    expect(JSON.parse(cursor!)).toMatchObject({ uid: 6 });

    const later = await deliver();
    const resumed = await make().poll!(cursor);
    expect(resumed.envelopes.map((e) => e.externalId)).toEqual([later]);
    expect((await make().poll!(resumed.cursor)).envelopes).toEqual([]);
  });

  it('restarts from UID 1 when the mailbox UIDVALIDITY changes', async () => {
    const admin = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false, doSTARTTLS: false } as ConstructorParameters<typeof ImapFlow>[0]);
    await admin.connect();
    const raw = (id: string) => buildRawEmail({ from: { address: 'ann@example.test' }, to: 'support@acme.test', subject: 'Box', text: id, messageId: `<${id}@example.test>` });
    const adapter = createEmailAdapter({ id: 'c', platform: 'email', config: { address: 'support@acme.test', imap: { host: dovecot.host, port: dovecot.port, secure: false, mailbox: 'Support' } }, credentials: user, ownAccountIds: [] });
    try {
      await admin.mailboxCreate('Support');
      await admin.append('Support', await raw('box-1'));
      await admin.append('Support', await raw('box-2'));
      const first = await adapter.poll!(null);
      expect(first.envelopes.map((e) => e.externalId)).toEqual(['<box-1@example.test>', '<box-2@example.test>']);
      // Recreating the mailbox gives it a new UIDVALIDITY; its first message gets UID 1 again.
      await admin.mailboxDelete('Support');
      await admin.mailboxCreate('Support');
      await admin.append('Support', await raw('box-3'));
      const second = await adapter.poll!(first.cursor);
      expect(second.envelopes.map((e) => e.externalId)).toEqual(['<box-3@example.test>']);
      expect(JSON.parse(second.cursor!).uidValidity).not.toBe(JSON.parse(first.cursor!).uidValidity);
    } finally {
      await admin.logout();
    }
  });

  it('drains a backlog in batches, by poll and by stream', async () => {
    const admin = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false, doSTARTTLS: false } as ConstructorParameters<typeof ImapFlow>[0]);
    await admin.connect();
    await admin.mailboxCreate('Backlog');
    for (let i = 1; i <= 5; i++) await admin.append('Backlog', await buildRawEmail({ from: { address: 'ann@example.test' }, to: 'support@acme.test', subject: 'b', text: `b${i}`, messageId: `<b${i}@example.test>` }));
    await admin.logout();
    const config = { address: 'support@acme.test', imap: { host: dovecot.host, port: dovecot.port, secure: false, mailbox: 'Backlog' }, batchSize: 2, idleDelayMs: 100 };
    const adapter = createEmailAdapter({ id: 'c', platform: 'email', config, credentials: user, ownAccountIds: [] });
    const sizes: number[] = [];
    let cursor: Cursor = null;
    for (let round = 0; round < 4; round++) {
      const page = await adapter.poll!(cursor);
      sizes.push(page.envelopes.length);
      cursor = page.cursor;
    }
    expect(sizes).toEqual([2, 2, 1, 0]);

    const streamed: string[] = [];
    const stop = new AbortController();
    const running = adapter.stream!({ deliver: async (batch) => { streamed.push(...batch.map((e) => e.externalId)); }, health: () => undefined }, null, stop.signal);
    await until(() => streamed.length === 5, 'the whole backlog');
    stop.abort();
    await running;
    expect(streamed).toEqual([1, 2, 3, 4, 5].map((i) => `<b${i}@example.test>`));
  });

  it('reports a wrong password as a permanent error', async () => {
    const bad = createEmailAdapter({ id: 'c', platform: 'email', config: { address: 'support@acme.test', imap: { host: dovecot.host, port: dovecot.port, secure: false } }, credentials: { user: user.user, password: 'nope' }, ownAccountIds: [] });
    await expect(bad.poll!(null)).rejects.toMatchObject({ retryable: false, platformCode: 'imap_auth' });
  });
});
