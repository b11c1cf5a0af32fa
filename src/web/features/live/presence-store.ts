import { useSyncExternalStore } from 'react';

export type PresenceState = 'viewing' | 'typing' | 'left';

export interface Presence {
  userId: string;
  state: 'viewing' | 'typing';
  at: number;
}

/** Viewers re-announce themselves every heartbeat; a silent entry is dropped after this long. */
const viewingTtl = 45_000;
/** Typing shows for a few seconds after the last keystroke, then falls back to viewing. */
const typingTtl = 6_000;

const byConversation = new Map<string, Map<string, Presence>>();
const listeners = new Set<() => void>();
let version = 0;

const notify = () => {
  version += 1;
  for (const listener of listeners) listener();
};

/** Applies one presence event from the stream. */
export const recordPresence = (conversationId: string, userId: string, state: PresenceState, at = Date.now()): void => {
  const people = byConversation.get(conversationId) ?? new Map<string, Presence>();
  if (state === 'left') people.delete(userId);
  else people.set(userId, { userId, state, at });
  byConversation.set(conversationId, people);
  notify();
};

/** Who else is on a conversation right now (expired entries left out). */
export const presenceOf = (conversationId: string, exceptUserId: string, now = Date.now()): Presence[] => {
  const people = byConversation.get(conversationId);
  if (!people) return [];
  const result: Presence[] = [];
  for (const p of people.values()) {
    if (p.userId === exceptUserId || now - p.at > viewingTtl) continue;
    result.push(p.state === 'typing' && now - p.at > typingTtl ? { ...p, state: 'viewing' } : p);
  }
  return result.sort((a, b) => a.userId.localeCompare(b.userId));
};

let ticker: number | null = null;

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  // One shared tick lets typing decay to viewing and silent viewers expire without a new event.
  ticker ??= window.setInterval(notify, 2_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && ticker !== null) {
      window.clearInterval(ticker);
      ticker = null;
    }
  };
};

/** Re-renders on every presence change; read with `presenceOf`. */
export const usePresenceVersion = (): number => useSyncExternalStore(subscribe, () => version);
