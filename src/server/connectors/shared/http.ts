import { ConnectorError } from '../port.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is URLSearchParams (form-encoded) or FormData (multipart, fetch sets the boundary). */
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or null when the body is empty or not JSON. */
  json: unknown;
  text: string;
}

export type FetchLike = typeof fetch;

/** Path and host only: query strings may carry tokens, which must never reach a log or an error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/**
 * One HTTP call with a timeout. Transport failures (refused, reset, timeout) become retryable
 * ConnectorErrors; HTTP error statuses are returned for the platform's own error mapping.
 */
export async function httpRequest(request: HttpRequest, fetchImpl: FetchLike = fetch): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | URLSearchParams | FormData | undefined;
  if (request.body instanceof URLSearchParams || request.body instanceof FormData) body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  const timeout = AbortSignal.timeout(request.timeoutMs ?? 15_000);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(request.url, { method: request.method, headers, body, signal });
    text = await response.text();
  } catch (error) {
    const reason = timeout.aborted ? 'timed out' : error instanceof Error ? error.message : String(error);
    throw new ConnectorError(`${request.method} ${redactUrl(request.url)} failed: ${reason}`, true, null, 'network');
  }
  let json: unknown = null;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: response.status, headers: response.headers, json, text };
}
