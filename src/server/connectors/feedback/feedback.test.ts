import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../email/fake-server.js';
import { ConnectorError } from '../port.js';
import { feedbackEnvelope } from './map.js';
import { createFeedbackAdapter } from './feedback.connector.js';

describe('feedback form adapter', () => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink({ user: 'forms', password: 'pw' });
  });
  afterAll(async () => smtp.close());

  const adapterWith = (config: Record<string, unknown>, credentials: Record<string, unknown> = { smtpUser: 'forms', smtpPassword: 'pw' }) => createFeedbackAdapter({ id: 'ch-f', platform: 'form', config, credentials, ownAccountIds: [] });
  const submission = feedbackEnvelope({ channelId: 'ch-f', submissionId: '01J0', name: 'Lee Park', email: ' Lee.Park@Example.net ', topic: 'Billing', message: 'charged twice', pageUrl: null, createdAt: Date.parse('2026-03-02T10:00:00Z') });

  it('maps a submission to a private form Envelope whose typed address is the identity, not a verified contact', () => {
    expect(submission).toMatchObject({ externalId: 'form:01J0', kind: 'form', visibility: 'private', subject: 'Billing', threadKey: 'form:01J0', author: { platformId: 'lee.park@example.net', handle: 'lee.park@example.net', displayName: 'Lee Park' } });
    expect(submission.author.email).toBeUndefined();
  });

  it('replies by email through the channel\'s SMTP server, with the topic as subject', async () => {
    const adapter = adapterWith({ smtp: { host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true }, fromAddress: 'care@acme.example', fromName: 'Acme Care' });
    const sent = await adapter.send({ idempotencyKey: 'r-1', channelId: 'ch-f', kind: 'reply', text: 'We refunded it.', recipient: { platformId: submission.author.platformId }, subject: 'Billing' });
    expect(sent.platformMessageId).toMatch(/^<parley\.[0-9a-f]{32}@acme\.example>$/);
    const mail = smtp.received.at(-1);
    expect(mail?.to).toEqual(['lee.park@example.net']);
    expect(mail?.raw.toString()).toMatch(/Subject: Re: Billing/);
    expect(await adapter.test?.()).toMatchObject({ ok: true });
  });

  it('maps an SMTP rejection to a permanent error and a deferral to a retryable one', async () => {
    const adapter = adapterWith({ smtp: { host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true }, fromAddress: 'care@acme.example' });
    const message = { idempotencyKey: 'r-2', channelId: 'ch-f', kind: 'reply' as const, text: 'x', recipient: { platformId: 'kim@example.net' } };
    smtp.failNext(550, 'mailbox unavailable');
    await expect(adapter.send(message)).rejects.toMatchObject({ retryable: false });
    smtp.failNext(451, 'try again in 2 minutes');
    await expect(adapter.send(message)).rejects.toMatchObject({ retryable: true, retryAfterMs: 120_000 });
  });

  it('refuses clearly without SMTP settings or without an address to answer', async () => {
    const mute = adapterWith({});
    const error = await mute.send({ idempotencyKey: 'r-3', channelId: 'ch-f', kind: 'reply', text: 'x', recipient: { platformId: 'kim@example.net' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ retryable: false, platformCode: 'no_smtp', message: expect.stringMatching(/cannot reach the customer/) });
    expect(await mute.test?.()).toMatchObject({ ok: false });
    const anonymous = adapterWith({ smtp: { host: smtp.host, port: smtp.port }, fromAddress: 'care@acme.example' });
    await expect(anonymous.send({ idempotencyKey: 'r-4', channelId: 'ch-f', kind: 'reply', text: 'x', recipient: { platformId: 'anonymous:01J1' } })).rejects.toMatchObject({ platformCode: 'no_recipient' });
  });
});
