import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../port.js';
import { httpRequest, redactUrl } from './http.js';
import { startFakeHttpServer, sendJson } from './fake-http.js';

describe('httpRequest', () => {
  it('turns a reset connection into a retryable error that does not leak the query string', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/v23.0/me?access_token=SECRET` }).catch((e: unknown) => e);
    server.close();
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(true);
    expect((error as ConnectorError).message).not.toContain('SECRET');
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
