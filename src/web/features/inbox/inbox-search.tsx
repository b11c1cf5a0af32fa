import { useEffect, useRef, useState } from 'react';
import { isTyping } from '../../ui/keys.js';

const typingPauseMs = 350;

/**
 * The inbox search box: full-text over every message of the listed conversations. `/` focuses it, Esc clears and
 * leaves it; the list follows after a pause in typing, or at once on Enter.
 */
export const InboxSearch = ({ value, onSearch }: { value: string; onSearch(q: string): void }) => {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(value);
  const latest = useRef(onSearch);
  latest.current = onSearch;

  // The URL is the truth: a link, back button or "clear" elsewhere replaces what is typed.
  useEffect(() => setText(value), [value]);

  useEffect(() => {
    if (text.trim() === value.trim()) return;
    const timer = window.setTimeout(() => latest.current(text), typingPauseMs);
    return () => window.clearTimeout(timer);
  }, [text, value]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target) || document.querySelector('dialog[open]')) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <form
      role="search"
      className="inbox-search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text);
      }}
    >
      <label htmlFor="inbox-search-input" className="sr-only">
        Search messages
      </label>
      <input
        id="inbox-search-input"
        ref={input}
        type="search"
        value={text}
        placeholder='Search messages  ( / )  e.g. refund "double charge" -spam'
        maxLength={200}
        autoComplete="off"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.preventDefault();
          setText('');
          onSearch('');
          event.currentTarget.blur();
        }}
      />
    </form>
  );
};
