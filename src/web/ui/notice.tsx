import type { ReactNode } from 'react';
import { isApiError } from '../api/client.js';

/** An empty state: what is (not) here and what to do next. */
export const EmptyState = ({ title, children }: { title: string; children?: ReactNode }) => (
  <div className="empty">
    <p className="empty-title">{title}</p>
    {children ? <div className="empty-hint">{children}</div> : null}
  </div>
);

const advice = (status: number): string => {
  if (status === 0) return 'Check your network connection; Parley retries on its own.';
  if (status === 401) return 'Your session has ended: sign in again.';
  if (status === 403) return 'Your role does not allow this. Ask an admin if you need it.';
  if (status === 404) return 'It may have been deleted or merged. Go back to the inbox.';
  if (status === 429) return 'Too many requests: wait a moment and try again.';
  if (status >= 500) return 'Something failed on the server; try again, and tell your admin if it persists.';
  return 'Fix the fields marked below and try again.';
};

/** Shows an API problem (or any error) with the server's detail and a next step. */
export const ErrorNotice = ({ error, onRetry }: { error: unknown; onRetry?: () => void }) => {
  const problem = isApiError(error) ? error.problem : null;
  const detail = problem?.detail ?? (error instanceof Error ? error.message : 'Unknown error');
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{problem?.title ?? 'Error'}:</strong> {detail}
      </p>
      <p className="notice-hint">{advice(problem?.status ?? 500)}</p>
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field + e.message}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
};
