import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Test support for the fake platform servers: real HTTP on 127.0.0.1, an ephemeral port. */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The body parsed as JSON, or as form fields when form-encoded; null when empty. */
  json: unknown;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type FakeHandler = (request: FakeRequest, response: ServerResponse) => Promise<void> | void;

export interface FakeHttpServer {
  url: string;
  close(): Promise<void>;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendCanned(response: ServerResponse, canned: CannedResponse): void {
  sendJson(response, canned.status, canned.body, canned.headers);
}

function parseBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body.toString()));
  try {
    return JSON.parse(body.toString()) as unknown;
  } catch {
    return null;
  }
}

export async function startFakeHttpServer(handler: FakeHandler): Promise<FakeHttpServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks);
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json: parseBody(body, req.headers['content-type']),
      };
      Promise.resolve(handler(request, res)).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
