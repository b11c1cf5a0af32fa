import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../port.js';
import { httpRequest, redactUrl } from './http.js';
import { startFakeHttpServer, sendJson } from './fake-http.js';

describe('httpRequest', () => {
  it('turns a reset connection into a retryable error that does not leak the query string', async () => {
    // A TCP reset once the request arrives (a peer or proxy dropping the connection). A plain close before any byte
    // is read instead leaves Node's fetch waiting for the timeout on a GET, which is not what this test is about.
    const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/v23.0/me?access_token=SECRET` }).catch((e: unknown) => e);
    server.close();
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(true);
    expect((error as ConnectorError).message).not.toContain('SECRET');
    // Failed on the reset itself, not on the 15 s timeout.
    expect((error as ConnectorError).message).not.toContain('timed out');
  });

  it('times out as a retryable error and returns HTTP errors for the caller to map', async () => {
    const fake = await startFakeHttpServer((req, res) => {
      if (req.path === '/slow') return;
      sendJson(res, 503, { error: 'busy' });
    });
    const timeout = await httpRequest({ method: 'GET', url: `${fake.url}/slow`, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ retryable: true, message: expect.stringContaining('timed out') });
    const response = await httpRequest({ method: 'POST', url: `${fake.url}/busy`, body: { a: 1 } });
    expect(response).toMatchObject({ status: 503, json: { error: 'busy' } });
    await fake.close();
  });

  it('redacts query strings', () => {
    expect(redactUrl('https://graph.facebook.com/v23.0/me?access_token=x')).toBe('https://graph.facebook.com/v23.0/me');
  });
});
