import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { MentionNotices, recordMention, type MentionEvent } from './mention-notices.js';
import { recordPresence, type PresenceState } from './presence-store.js';

export type LiveMode = 'connecting' | 'live' | 'polling';

const LiveContext = createContext<LiveMode>('polling');

interface ChangedEvent {
  type: 'conversations.changed';
  conversationIds: string[];
}
interface PresenceEvent {
  type: 'presence';
  conversationId: string;
  userId: string;
  state: PresenceState;
}

const parse = (data: string): unknown => {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
};

/**
 * Subscribes to the server's event stream (`GET /api/v1/events`). While it is open, lists and conversations refresh
 * when the server says they changed, and polling stops; when the server has no stream or it drops for good, the
 * screens fall back to polling.
 */
export const LiveEventsProvider = ({ children }: { children: ReactNode }) => {
  const client = useQueryClient();
  const [mode, setMode] = useState<LiveMode>(typeof EventSource === 'undefined' ? 'polling' : 'connecting');

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/events', { withCredentials: true });
    let pending = new Set<string>();
    let timer: number | null = null;
    // A burst of ingested messages becomes one refetch per screen, not one per message.
    const flush = () => {
      timer = null;
      const ids = pending;
      pending = new Set();
      void client.invalidateQueries({ queryKey: ['conversations'] });
      void client.invalidateQueries({ queryKey: ['dashboard'] });
      for (const id of ids) void client.invalidateQueries({ queryKey: ['conversation', id] });
    };
    const onChanged = (payload: ChangedEvent) => {
      for (const id of payload.conversationIds ?? []) pending.add(id);
      timer ??= window.setTimeout(flush, 250);
    };
    const onPresence = (payload: PresenceEvent) => recordPresence(payload.conversationId, payload.userId, payload.state);
    const dispatch = (type: string, data: string) => {
      const payload = parse(data) as Record<string, unknown> | null;
      if (!payload) return;
      const kind = typeof payload.type === 'string' ? payload.type : type;
      if (kind === 'conversations.changed') onChanged(payload as unknown as ChangedEvent);
      else if (kind === 'presence') onPresence(payload as unknown as PresenceEvent);
      else if (kind === 'mention') recordMention(payload as unknown as MentionEvent);
    };
    source.onopen = () => setMode('live');
    // EventSource reconnects by itself after a dropped stream; CLOSED means the server refused it (no route, 401).
    source.onerror = () => setMode(source.readyState === EventSource.CLOSED ? 'polling' : 'connecting');
    source.onmessage = (e: MessageEvent<string>) => dispatch('message', e.data);
    const named = ['conversations.changed', 'presence', 'mention'] as const;
    const listeners = named.map((name) => {
      const listener = (e: MessageEvent<string>) => dispatch(name, e.data);
      source.addEventListener(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener);
      if (timer !== null) window.clearTimeout(timer);
      source.close();
    };
  }, [client]);

  return (
    <LiveContext.Provider value={mode}>
      {children}
      <MentionNotices />
    </LiveContext.Provider>
  );
};

export const useLiveMode = (): LiveMode => useContext(LiveContext);

/** The refetch interval for a screen: none while the stream is live (a slow safety net), `ms` otherwise. */
export const usePollInterval = (ms: number): number => (useLiveMode() === 'live' ? Math.max(ms * 12, 60_000) : ms);
