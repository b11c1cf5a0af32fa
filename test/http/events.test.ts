import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createTestApp, createUser, envelope, parseEnvelopes, tokenFor, type TestApp } from '../support/test-app.js';

describe('live updates over server-sent events', () => {
  let app: TestApp;
  let token: string;
  let port: number;
  beforeAll(async () => {
    app = await createTestApp('sqlite');
    token = await tokenFor(app, (await createUser(app, 'agent', { status: 'online' })).id);
    await app.start(['web', 'worker']);
    const address = app.http.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => app.dispose());

  /** Opens the stream and resolves with the first event of the given name. */
  const nextEvent = (name: string): { ready: Promise<void>; event: Promise<unknown>; close(): void } => {
    let close = () => undefined as void;
    let onReady = () => undefined as void;
    const ready = new Promise<void>((r) => (onReady = r));
    const event = new Promise<unknown>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        onReady();
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (const block of buffer.split('\n\n')) {
            const type = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (type === name && data) resolve(JSON.parse(data));
          }
        });
      });
      req.on('error', reject);
      close = () => req.destroy();
    });
    return { ready, event, close: () => close() };
  };

  it('pushes conversations.changed when a new message is routed', async () => {
    const stream = nextEvent('conversations.changed');
    await stream.ready;
    const channelId = (await createChannel(app)).id;
    await app.services.ingest(parseEnvelopes([envelope(channelId)]));
    const event = (await stream.event) as { conversationIds: string[] };
    expect(event.conversationIds).toHaveLength(1);
    stream.close();
  });

  it('relays presence for the collision indicator', async () => {
    const stream = nextEvent('presence');
    await stream.ready;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/conversations/c1/presence`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'typing' }) });
    expect(res.status).toBe(204);
    expect(await stream.event).toMatchObject({ conversationId: 'c1', state: 'typing' });
    stream.close();
  });
});
