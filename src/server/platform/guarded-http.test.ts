import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGuardedFetch, PrivateAddressRefused } from './guarded-http.js';
import type { Resolver } from './ssrf.js';

// Public-looking names that DNS (here: the injected resolver) answers with the loopback address the test server is on.
const resolve: Resolver = async (host) => (host.endsWith('.example') ? [{ address: '127.0.0.1', family: 4 }] : []);

const causeOf = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (error) {
    return (error as { cause?: unknown }).cause ?? error;
  }
  throw new Error('request was not refused');
};

describe('guarded fetch', () => {
  let server: Server;
  let port = 0;
  const hits: string[] = [];
  beforeEach(async () => {
    hits.length = 0;
    server = createServer((req, res) => {
      hits.push(`${req.headers.host}${req.url}`);
      if (req.url === '/to-literal') res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
      else if (req.url === '/to-name') res.writeHead(302, { location: `http://internal.example:${port}/ok` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  it('refuses a public-looking name that resolves to a loopback address at connection time', async () => {
    const guarded = createGuardedFetch({ allow: [], resolve });
    expect(await causeOf(guarded(`http://hooks.example:${port}/ok`))).toBeInstanceOf(PrivateAddressRefused);
    expect(await causeOf(guarded(`http://127.0.0.1:${port}/ok`))).toBeInstanceOf(PrivateAddressRefused);
    expect(await causeOf(guarded(`http://[::ffff:127.0.0.1]:${port}/ok`))).toBeInstanceOf(PrivateAddressRefused);
    expect(hits).toEqual([]);
  });

  it('connects when the allow-list names the host, its address or a range, or allows everything', async () => {
    for (const allow of [['hooks.example'], ['127.0.0.1'], ['127.0.0.0/8'], ['*']]) {
      const guarded = createGuardedFetch({ allow, resolve });
      const res = await guarded(`http://hooks.example:${port}/ok`);
      expect(res.status, allow.join()).toBe(200);
      expect(await res.text()).toBe('hello');
    }
    expect(hits).toHaveLength(4);
  });

  it('re-checks every redirect hop: an allowed host cannot redirect to a private one', async () => {
    const guarded = createGuardedFetch({ allow: ['allowed.example'], resolve });
    expect(await causeOf(guarded(`http://allowed.example:${port}/to-literal`))).toBeInstanceOf(PrivateAddressRefused);
    expect(await causeOf(guarded(`http://allowed.example:${port}/to-name`))).toBeInstanceOf(PrivateAddressRefused);
    expect(hits).toEqual([`allowed.example:${port}/to-literal`, `allowed.example:${port}/to-name`]);
  });

  it('refuses other protocols and credentials in the URL', async () => {
    const guarded = createGuardedFetch({ allow: ['*'], resolve });
    await expect(guarded('file:///etc/passwd')).rejects.toThrow(/protocol/);
    await expect(guarded(`http://u:p@hooks.example:${port}/ok`)).rejects.toThrow(/credentials/);
  });
});
