import { useSyncExternalStore } from 'react';

/** A tiny history router: the workspace has two places (inbox, conversation), so a library would be more code than this. */
export interface Location {
  path: string;
  search: URLSearchParams;
}

const subscribe = (notify: () => void) => {
  window.addEventListener('popstate', notify);
  return () => window.removeEventListener('popstate', notify);
};
const snapshot = () => window.location.pathname + window.location.search;

export const navigate = (to: string, options: { replace?: boolean } = {}): void => {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
};

export const useLocation = (): Location => {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, search: url.searchParams };
};

/** '/c/:id' → the conversation id, else null. */
export const conversationIdOf = (path: string): string | null => {
  const match = /^\/c\/([^/]+)$/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
};
