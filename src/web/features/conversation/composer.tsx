import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, isApiError, type Problem } from '../../api/client.js';
import { ErrorNotice } from '../../ui/notice.js';

type Mode = 'reply' | 'note';

/** Marks each finding's span in the blocked text so the agent sees exactly what to remove. */
const highlight = (text: string, findings: NonNullable<Problem['findings']>): ReactNode[] => {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue;
    parts.push(text.slice(at, f.start));
    parts.push(
      <mark key={f.start} title={f.type}>
        {text.slice(f.start, f.end)}
      </mark>,
    );
    at = f.end;
  }
  parts.push(text.slice(at));
  return parts;
};

const Blocked = ({ problem, text }: { problem: Problem; text: string }) => (
  <div className="notice notice-warn" role="alert">
    <p>
      <strong>Reply not sent:</strong> {problem.detail}
    </p>
    <p>It would post personal data in public: {[...new Set((problem.findings ?? []).map((f) => f.type))].join(', ')}. Remove the marked parts, or continue in a private message.</p>
    <blockquote className="blocked-text">{highlight(text, problem.findings ?? [])}</blockquote>
  </div>
);

/** Reply to the customer (public replies pass the server's PII guard) or leave an internal note. */
export const Composer = ({ conversationId, isPublic }: { conversationId: string; isPublic: boolean }) => {
  const client = useQueryClient();
  const [mode, setMode] = useState<Mode>('reply');
  const [text, setText] = useState('');
  const [sentText, setSentText] = useState('');
  const send = useMutation({
    mutationFn: (input: { mode: Mode; text: string }) =>
      input.mode === 'reply' ? api.post(`/conversations/${encodeURIComponent(conversationId)}/reply`, { text: input.text }) : api.post(`/conversations/${encodeURIComponent(conversationId)}/notes`, { body: input.text }),
    onSuccess: async () => {
      setText('');
      await client.invalidateQueries({ queryKey: ['conversation', conversationId] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setSentText(text);
    send.mutate({ mode, text });
  };

  const blocked = isApiError(send.error) && send.error.problem.code === 'reply_blocked' ? send.error.problem : null;
  const label = mode === 'reply' ? (isPublic ? 'Public reply (everyone can see it)' : 'Private reply to the customer') : 'Internal note (only your team sees it)';

  return (
    <form className={`composer composer-${mode}`} onSubmit={submit}>
      <div className="tabs" role="group" aria-label="Composer mode">
        <button type="button" className="tab" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" className="tab" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          Note
        </button>
      </div>
      <label className="field">
        <span>{label}</span>
        <textarea
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
        />
      </label>
      {blocked ? <Blocked problem={blocked} text={sentText} /> : send.error ? <ErrorNotice error={send.error} /> : null}
      {send.isSuccess && !text ? (
        <p className="muted" role="status">
          {send.variables.mode === 'reply' ? 'Reply queued for delivery.' : 'Note added.'}
        </p>
      ) : null}
      <div className="composer-actions">
        <span className="muted">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to send
        </span>
        <button type="submit" className="btn btn-primary" disabled={send.isPending || !text.trim()}>
          {send.isPending ? 'Sending…' : mode === 'reply' ? 'Send reply' : 'Add note'}
        </button>
      </div>
    </form>
  );
};
