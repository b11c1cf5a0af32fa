/** The one way the SPA talks to /api/v1: same-origin cookies, the CSRF header on writes, problem+json errors. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  findings?: { type: string; start: number; end: number }[];
  suggestion?: string;
}

export interface ApiError extends Error {
  problem: Problem;
}

export const isApiError = (error: unknown): error is ApiError => error instanceof Error && 'problem' in error;

let csrfToken: string | null = null;

/** The session's CSRF token, kept in memory only (never in storage a script could read later). */
export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};

const toError = async (response: Response): Promise<ApiError> => {
  let problem: Problem;
  try {
    problem = (await response.json()) as Problem;
  } catch {
    problem = { status: response.status, code: 'http_error', title: response.statusText || 'Request failed', detail: `The server answered ${response.status}.` };
  }
  return Object.assign(new Error(problem.detail ?? problem.title), { problem });
};

const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    const problem: Problem = { status: 0, code: 'network', title: 'Network error', detail: 'Parley cannot be reached. Check your connection; we will retry.' };
    throw Object.assign(new Error(problem.detail), { problem });
  }
  if (!response.ok) throw await toError(response);
  if (response.status === 204 || response.status === 205) return undefined as T;
  return (await response.json()) as T;
};

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/**
 * Posts one file as multipart/form-data (`file` part) and reports upload progress as a 0..1 fraction. Uses
 * XMLHttpRequest because fetch cannot report request-body progress; errors are the same ApiError as `api`.
 */
export const uploadFile = <T>(path: string, file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const fail = (problem: Problem) => reject(Object.assign(new Error(problem.detail ?? problem.title), { problem }));
    xhr.open('POST', `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else if (body && typeof body === 'object' && 'code' in body) fail(body as Problem);
      else fail({ status: xhr.status, code: 'http_error', title: xhr.statusText || 'Upload failed', detail: `The server answered ${xhr.status}.` });
    };
    xhr.onerror = () => fail({ status: 0, code: 'network', title: 'Network error', detail: 'The upload did not reach Parley. Check your connection and try again.' });
    xhr.onabort = () => fail({ status: 0, code: 'aborted', title: 'Upload cancelled', detail: 'The upload was cancelled.' });
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });

/** Builds a query string, leaving out empty values. */
export const queryString = (params: Record<string, string | number | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};
