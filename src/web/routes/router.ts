import { useSyncExternalStore } from 'react';

/** A tiny history router: a handful of places, matched by one function, so a library would be more code than this. */
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

export type Page = { name: 'inbox' } | { name: 'supervisor' } | { name: 'settings'; tab: string } | { name: 'incidents'; id: string | null } | { name: 'not-found' };

/** The screen for a path; the inbox owns '/' and '/c/:id'. */
export const pageOf = (path: string): Page => {
  if (path === '/' || conversationIdOf(path)) return { name: 'inbox' };
  if (path === '/supervisor') return { name: 'supervisor' };
  const settings = /^\/settings(?:\/([a-z-]+))?$/.exec(path);
  if (settings) return { name: 'settings', tab: settings[1] ?? 'users' };
  const incidents = /^\/incidents(?:\/([^/]+))?$/.exec(path);
  if (incidents) return { name: 'incidents', id: incidents[1] ? decodeURIComponent(incidents[1]) : null };
  return { name: 'not-found' };
};

/** Click handler for in-app links: plain clicks navigate in place, modified clicks keep the browser's behaviour. */
export const linkTo = (to: string) => (event: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; preventDefault(): void }) => {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(to);
};
