import { useState, type KeyboardEvent } from 'react';
import { useUsers } from '../../api/queries.js';
import type { UserDto } from '../../api/types.js';
import { mentionHandleOf } from '../../../shared/mentions.js';

/** The @word being typed just before the caret, if any. */
export const mentionQueryAt = (text: string, caret: number): { start: number; query: string } | null => {
  const match = /(?:^|[^\w.@-])@([\w.-]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query: query.toLowerCase() };
};

/** Teammates matching a partial @mention by handle or name, best first. */
export const matchTeammates = (users: readonly UserDto[], query: string, selfId: string, limit = 6): UserDto[] =>
  users
    .filter((u) => !u.disabled && u.id !== selfId)
    .map((u) => {
      const handle = mentionHandleOf(u.email);
      const name = u.name.toLowerCase();
      const rank = handle.startsWith(query) ? 0 : name.startsWith(query) ? 1 : handle.includes(query) || name.includes(query) ? 2 : 3;
      return { u, rank };
    })
    .filter((x) => x.rank < 3)
    .sort((a, b) => a.rank - b.rank || a.u.name.localeCompare(b.u.name))
    .slice(0, limit)
    .map((x) => x.u);

/**
 * @mention autocomplete for the note box: while an @word is being typed, teammates who match are listed; arrows move,
 * Enter or Tab inserts their handle, Escape closes. Returns the list to render and the key handler for the box.
 */
export const useMentionSuggest = (input: { text: string; caret: number; selfId: string; enabled: boolean; onInsert(text: string, caret: number): void }) => {
  const users = useUsers();
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const token = input.enabled ? mentionQueryAt(input.text, input.caret) : null;
  const matches = token && closedAt !== token.start ? matchTeammates(users.data ?? [], token.query, input.selfId) : [];
  const open = matches.length > 0;
  const current = Math.min(active, Math.max(0, matches.length - 1));

  const insert = (u: UserDto) => {
    if (!token) return;
    const handle = `@${mentionHandleOf(u.email)} `;
    const end = token.start + 1 + token.query.length;
    const next = input.text.slice(0, token.start) + handle + input.text.slice(end);
    setActive(0);
    input.onInsert(next, token.start + handle.length);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((current + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.metaKey && !e.ctrlKey) || e.key === 'Tab') {
      e.preventDefault();
      const chosen = matches[current];
      if (chosen) insert(chosen);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setClosedAt(token?.start ?? null);
      return true;
    }
    return false;
  };

  const list = open ? (
    <>
      <ul className="mention-list" role="listbox" id="mention-list" aria-label="Mention a teammate">
        {matches.map((u, i) => (
          <li
            key={u.id}
            role="option"
            aria-selected={i === current}
            onMouseDown={(e) => {
              // Keep the focus in the note box.
              e.preventDefault();
              insert(u);
            }}
          >
            {u.name} <span className="muted">@{mentionHandleOf(u.email)}</span>
          </li>
        ))}
      </ul>
      <p className="sr-only" role="status">
        {matches.length} {matches.length === 1 ? 'teammate matches' : 'teammates match'}; arrow keys to choose, Enter to insert.
      </p>
    </>
  ) : null;

  return { list, onKeyDown };
};
