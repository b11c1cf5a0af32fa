import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import type { Resolver } from '../platform/ssrf.js';
import type { UnitOfWork } from '../repositories/index.js';
import { createWebhookDeliverer, type WebhookDelivery } from './decide-webhooks.js';

// A rule webhook saved as a public-looking name that DNS (injected) now answers with loopback: DNS rebinding.
const resolve: Resolver = async (host) => (host.endsWith('.example') ? [{ address: '127.0.0.1', family: 4 }] : []);

describe('rule webhook delivery checks the receiver when it connects', () => {
  let server: Server;
  let port = 0;
  const received: { host: string | undefined; body: string }[] = [];
  const queued: string[] = [];
  // Records re-queued attempts; the cases below must not retry.
  const uow = (async (fn: (tx: { jobs: { enqueue: (rows: { payload: string }[]) => Promise<void> } }) => Promise<unknown>) =>
    fn({ jobs: { enqueue: async (rows) => void queued.push(...rows.map((r) => r.payload)) } })) as unknown as UnitOfWork;
  const deliverer = (allow: string[]) => createWebhookDeliverer({ uow, clock: createManualClock(), logger: createLogger('silent'), allow, resolve });
  const delivery = (url: string): WebhookDelivery => ({ url, body: { rule: 'r1', text: 'hello' }, idempotencyKey: 'k1', attempt: 0 });

  beforeEach(async () => {
    received.length = 0;
    queued.length = 0;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ host: req.headers.host, body });
        if (req.url === '/redirect') res.writeHead(307, { location: `http://127.0.0.1:${port}/hook` }).end();
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  it('refuses a public-looking name resolving to loopback, and does not retry', async () => {
    expect(await deliverer([])(delivery(`http://hooks.example:${port}/hook`))).toBe('refused');
    expect(await deliverer([])(delivery(`http://127.0.0.1:${port}/hook`))).toBe('refused');
    expect(received).toEqual([]);
    expect(queued).toEqual([]);
  });

  it('delivers when the allow-list permits the receiver', async () => {
    expect(await deliverer(['hooks.example'])(delivery(`http://hooks.example:${port}/hook`))).toBe('delivered');
    expect(received).toEqual([{ host: `hooks.example:${port}`, body: JSON.stringify({ rule: 'r1', text: 'hello' }) }]);
  });

  it('does not follow a redirect from an allowed receiver', async () => {
    const outcome = await deliverer(['hooks.example'])(delivery(`http://hooks.example:${port}/redirect`));
    expect(outcome).not.toBe('delivered');
    expect(received.map((r) => r.host)).toEqual([`hooks.example:${port}`]);
  });
});
