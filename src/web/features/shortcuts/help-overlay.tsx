import { useEffect, useRef, useState } from 'react';
import { isTyping } from '../../ui/keys.js';

const groups: { title: string; keys: [string, string][] }[] = [
  { title: 'Inbox', keys: [['j / k', 'Next / previous conversation'], ['Enter', 'Open the selected conversation'], ['n', 'Take the next conversation waiting for you'], ['/', 'Search messages (Esc clears)']] },
  { title: 'Conversation', keys: [['e', 'Resolve (or reopen)'], ['a', 'Assign to me'], ['r', 'Write a reply'], ['Ctrl + Enter', 'Send the reply or note']] },
  { title: 'Anywhere', keys: [['?', 'Show or hide this help'], ['Esc', 'Close this help']] },
];

/** The `?` overlay listing every keyboard shortcut; a native modal dialog, so focus is trapped and Esc closes it. */
export const HelpOverlay = () => {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '?' || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      setOpen((was) => !was);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog ref={dialog} className="card help" aria-labelledby="help-title" onClose={() => setOpen(false)}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      {groups.map((g) => (
        <section key={g.title}>
          <h3>{g.title}</h3>
          <dl className="help-keys">
            {g.keys.map(([key, what]) => (
              <div key={key}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <button type="button" className="btn" onClick={() => setOpen(false)}>
        Close
      </button>
    </dialog>
  );
};
