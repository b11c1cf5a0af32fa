import { useCallback, useEffect, useRef } from 'react';
import { api, isApiError } from '../../api/client.js';
import { useUsers } from '../../api/queries.js';
import { useSession } from '../auth/session.js';
import { presenceOf, usePresenceVersion, type PresenceState } from './presence-store.js';

const heartbeatMs = 15_000;
const typingEveryMs = 3_000;

/** Whether this server has the presence route; learned from the first answer, so a missing route costs one request. */
let presenceSupported = true;

const post = async (conversationId: string, state: PresenceState) => {
  if (!presenceSupported) return;
  try {
    await api.post(`/conversations/${encodeURIComponent(conversationId)}/presence`, { state });
  } catch (error) {
    if (isApiError(error) && (error.problem.status === 404 || error.problem.status === 405)) presenceSupported = false;
  }
};

/** Tells teammates you are viewing this conversation (with a heartbeat) and returns a throttled "I am typing" signal. */
export const usePresenceReporter = (conversationId: string): (() => void) => {
  const lastTyping = useRef(0);
  useEffect(() => {
    void post(conversationId, 'viewing');
    const timer = window.setInterval(() => void post(conversationId, 'viewing'), heartbeatMs);
    const leave = () => void post(conversationId, 'left');
    window.addEventListener('pagehide', leave);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [conversationId]);
  return useCallback(() => {
    const now = Date.now();
    if (now - lastTyping.current < typingEveryMs) return;
    lastTyping.current = now;
    void post(conversationId, 'typing');
  }, [conversationId]);
};

/** "Grace is typing…, Bo is viewing": the collision indicator, announced politely to screen readers. */
export const CollisionIndicator = ({ conversationId }: { conversationId: string }) => {
  usePresenceVersion();
  const { user } = useSession();
  const users = useUsers();
  const others = presenceOf(conversationId, user.id);
  const nameOf = (id: string) => users.data?.find((u) => u.id === id)?.name ?? 'A teammate';
  const typing = others.filter((p) => p.state === 'typing');
  const viewing = others.filter((p) => p.state === 'viewing');
  return (
    <p className={`collision${typing.length ? ' collision-typing' : ''}`} role="status" aria-live="polite">
      {typing.length ? <span>{typing.map((p) => nameOf(p.userId)).join(', ')} {typing.length === 1 ? 'is' : 'are'} typing a reply</span> : null}
      {typing.length && viewing.length ? ' · ' : null}
      {viewing.length ? <span>{viewing.map((p) => nameOf(p.userId)).join(', ')} {viewing.length === 1 ? 'is' : 'are'} viewing</span> : null}
    </p>
  );
};
