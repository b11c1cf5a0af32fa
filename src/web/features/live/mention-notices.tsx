import { useSyncExternalStore } from 'react';
import { useUsers } from '../../api/queries.js';
import { linkTo } from '../../routes/router.js';
import './mention-notices.css';

export interface MentionEvent {
  conversationId: string;
  noteId: string;
  byUserId: string;
  excerpt: string;
}

let mentions: readonly MentionEvent[] = [];
const listeners = new Set<() => void>();
const set = (next: readonly MentionEvent[]) => {
  mentions = next;
  for (const l of listeners) l();
};

/** Called by the event stream when a teammate @mentions the signed-in user. */
export const recordMention = (m: MentionEvent): void => {
  if (mentions.some((x) => x.noteId === m.noteId)) return;
  set([...mentions, m].slice(-5));
};

const dismiss = (noteId: string) => set(mentions.filter((m) => m.noteId !== noteId));

/** "Ada mentioned you": a note that names you, with a link to its conversation, until you open or dismiss it. */
export const MentionNotices = () => {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => mentions,
  );
  const users = useUsers();
  if (list.length === 0) return null;
  return (
    <section className="mention-notices" aria-label="Mentions" aria-live="polite">
      {list.map((m) => {
        const href = `/c/${encodeURIComponent(m.conversationId)}`;
        const by = users.data?.find((u) => u.id === m.byUserId)?.name ?? 'A teammate';
        return (
          <div key={m.noteId} className="notice notice-info mention-notice" role="status">
            <p>
              <strong>{by} mentioned you</strong> in an internal note: “{m.excerpt}”
            </p>
            <p className="button-row">
              <a
                className="btn"
                href={href}
                onClick={(e) => {
                  dismiss(m.noteId);
                  linkTo(href)(e);
                }}
              >
                Open the conversation
              </a>
              <button type="button" className="btn btn-ghost" onClick={() => dismiss(m.noteId)}>
                Dismiss
              </button>
            </p>
          </div>
        );
      })}
    </section>
  );
};
