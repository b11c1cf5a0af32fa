import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, isApiError, type Problem } from '../../api/client.js';
import { useUsers } from '../../api/queries.js';
import type { MessageDto } from '../../api/types.js';
import { ErrorNotice } from '../../ui/notice.js';
import { timeAgo } from '../../ui/time.js';
import { useSession } from '../auth/session.js';
import { conversationQuery, repliesSince } from './conversation-query.js';
import { channelLimitKey, measureForChannel } from '../../../shared/channel-limits.js';
import { MacroPicker } from './macro-picker.js';
import { SuggestedReplies } from './suggested-replies.js';
import { useMentionSuggest } from './mention-suggest.js';
import { ContinuePrivately } from './private-link.js';
import { AttachmentTray, attachPasted, useAttachments, useDropTarget } from './composer-attachments.js';
import { captionLimit, isCaptionTooLong } from './composer-media.js';
import { HoldingReplyNudge } from './holding-reply.js';
import type { WaitingConversation } from '../../../shared/holding-reply.js';

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

const Blocked = ({ problem, text, children }: { problem: Problem; text: string; children?: ReactNode }) => (
  <div className="notice notice-warn" role="alert">
    <p>
      <strong>Reply not sent:</strong> {problem.detail}
    </p>
    <p>It would post personal data in public: {[...new Set((problem.findings ?? []).map((f) => f.type))].join(', ')}. Remove the marked parts, or continue in a private message.</p>
    <blockquote className="blocked-text">{highlight(text, problem.findings ?? [])}</blockquote>
    {children}
  </div>
);

/** The id of the reply box, so the `r` shortcut can focus it. */
export const replyBoxId = 'reply-box';

const outIds = (messages: readonly MessageDto[]) => new Set(messages.filter((m) => m.direction === 'out').map((m) => m.id));

/** Someone else answered while you were writing: say who and what, and let the agent decide. */
const Collision = ({ replies, onSendAnyway }: { replies: MessageDto[]; onSendAnyway?: () => void }) => {
  const users = useUsers();
  const latest = replies[replies.length - 1];
  if (!latest) return null;
  const who = latest.sentByUserId ? (users.data?.find((u) => u.id === latest.sentByUserId)?.name ?? 'A teammate') : 'An automation';
  return (
    <div className="notice notice-warn collision-guard" role="alert">
      <p>
        <strong>{who} replied {timeAgo(latest.createdAt, Date.now())} while you were writing:</strong> “{latest.text.slice(0, 160)}”
      </p>
      <p>Read it before sending, so the customer does not get two answers.</p>
      {onSendAnyway ? (
        <button type="button" className="btn" onClick={onSendAnyway}>
          Send mine anyway
        </button>
      ) : null}
    </div>
  );
};

/**
 * Reply to the customer (public replies pass the server's PII guard) or leave an internal note. Guards against
 * sending on top of a teammate: replies that arrived since you started writing must be acknowledged first.
 */
export const Composer = ({ conversationId, isPublic, platform = null, messages, onTyping, conversation }: { conversationId: string; isPublic: boolean; platform?: string | null; messages: readonly MessageDto[]; onTyping?: () => void; conversation?: WaitingConversation & { id: string } }) => {
  const client = useQueryClient();
  const { user } = useSession();
  const [mode, setMode] = useState<Mode>('reply');
  const [text, setText] = useState('');
  // Measured as the platform counts (X's weighted length, graphemes, SMS segments); private Meta replies are DMs.
  const limitKey = platform === null ? null : channelLimitKey(platform, isPublic);
  const attachments = useAttachments(limitKey, conversationId);
  const measured = mode === 'reply' && limitKey ? measureForChannel(text, limitKey) : null;
  // With files, WhatsApp sends the text as their caption, which has a shorter cap than a text message.
  const captionMax = mode === 'reply' ? captionLimit(limitKey, attachments.items.length) : null;
  const textMax = measured?.max ?? null;
  const lengthMax = textMax !== null && captionMax !== null ? Math.min(textMax, captionMax) : textMax;
  const captionOver = mode === 'reply' && isCaptionTooLong(limitKey, text, attachments.items.length);
  const over = (measured !== null && lengthMax !== null && measured.length > lengthMax) || captionOver;
  const [sentText, setSentText] = useState('');
  // Outbound messages already there when the agent started writing; null while the box is empty.
  const [seen, setSeen] = useState<ReadonlySet<string> | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(0);
  const [caretAfterInsert, setCaretAfterInsert] = useState<number | null>(null);
  const drop = useDropTarget(attachments);
  // A reply waits for its files: none still uploading, none failed (retry or remove it).
  const filesPending = mode === 'reply' && (attachments.isBusy || attachments.hasFailed);
  const send = useMutation({
    mutationFn: (input: { mode: Mode; text: string; attachmentIds: string[] }) =>
      input.mode === 'reply'
        ? api.post(`/conversations/${encodeURIComponent(conversationId)}/reply`, { text: input.text, ...(input.attachmentIds.length ? { attachmentIds: input.attachmentIds } : {}) })
        : api.post(`/conversations/${encodeURIComponent(conversationId)}/notes`, { body: input.text }),
    onSuccess: async (_result, input) => {
      setText('');
      setSeen(null);
      if (input.mode === 'reply') attachments.clear();
      await client.invalidateQueries({ queryKey: ['conversation', conversationId] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
  const collisions = mode === 'reply' && seen ? repliesSince(messages, seen, user.id) : [];
  const mention = useMentionSuggest({
    text,
    caret,
    selfId: user.id,
    enabled: mode === 'note',
    onInsert: (next, at) => {
      setText(next);
      setCaret(at);
      setCaretAfterInsert(at);
    },
  });
  useEffect(() => {
    // Put the caret after an inserted @handle once React has written the new text.
    if (caretAfterInsert === null || !box.current) return;
    box.current.setSelectionRange(caretAfterInsert, caretAfterInsert);
    setCaretAfterInsert(null);
  }, [caretAfterInsert]);

  const edit = (value: string) => {
    if (!value.trim()) setSeen(null);
    else if (!seen) setSeen(outIds(messages));
    setText(value);
    if (mode === 'reply' && value.trim()) onTyping?.();
  };

  const deliver = (override: boolean) => async () => {
    if (!text.trim()) return;
    if (mode === 'reply' && !override) {
      // Check against the server's latest state, not the last poll: the window between two refreshes is where collisions happen.
      const fresh = await client.fetchQuery({ ...conversationQuery(conversationId), staleTime: 0 }).catch(() => null);
      if (fresh && seen && repliesSince(fresh.messages, seen, user.id).length > 0) return;
    }
    setSentText(text);
    send.mutate({ mode, text, attachmentIds: mode === 'reply' ? attachments.ids : [] });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (collisions.length || filesPending) return;
    void deliver(false)();
  };

  const blocked = isApiError(send.error) && send.error.problem.code === 'reply_blocked' ? send.error.problem : null;
  const label = mode === 'reply' ? (isPublic ? 'Public reply (everyone can see it)' : 'Private reply to the customer') : 'Internal note (only your team sees it)';

  return (
    <form className={`composer composer-${mode}`} onSubmit={submit} {...(mode === 'reply' ? drop.handlers : {})}>
      <div className="tabs" role="group" aria-label="Composer mode">
        <button type="button" className="tab" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" className="tab" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          Note
        </button>
      </div>
      {mode === 'reply' && conversation ? <HoldingReplyNudge conversation={conversation} platform={platform} /> : null}
      {mode === 'reply' ? (
        <SuggestedReplies
          conversationId={conversationId}
          lastMessageId={[...messages].reverse().find((m) => m.direction === 'in')?.id ?? null}
          onInsert={(suggestion) => edit(text.trim() ? `${text.trimEnd()}\n\n${suggestion}` : suggestion)}
        />
      ) : null}
      {mode === 'reply' ? <MacroPicker conversationId={conversationId} onInsert={(macro) => edit(text.trim() ? `${text.trimEnd()}\n\n${macro}` : macro)} /> : null}
      <label className="field">
        <span>{label}</span>
        <textarea
          id={replyBoxId}
          rows={4}
          ref={box}
          value={text}
          aria-describedby={mode === 'note' ? 'mention-hint' : undefined}
          onChange={(e) => {
            edit(e.target.value);
            setCaret(e.target.selectionStart);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onPaste={mode === 'reply' ? attachPasted(attachments) : undefined}
          onKeyDown={(e) => {
            if (mention.onKeyDown(e)) return;
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e);
          }}
        />
      </label>
      {measured && lengthMax !== null ? (
        <p id="reply-length" className={over ? 'notice notice-warn' : 'muted reply-length'} aria-live="polite">
          {measured.length} / {lengthMax} {measured.unit === 'sms' ? 'SMS characters' : 'characters'}
          {captionMax !== null ? ' (the caption of the attached file)' : ''}
          {over ? (captionOver ? ' — too long for a caption: shorten it, or remove the attachment' : ` — too long for ${platform}: shorten it, or continue privately`) : ''}
        </p>
      ) : null}
      {mode === 'reply' ? <AttachmentTray attachments={attachments} limitKey={limitKey} dragging={drop.dragging} /> : null}
      {mode === 'note' ? (
        <p id="mention-hint" className="muted">
          Type @ to mention a teammate; they are notified.
        </p>
      ) : null}
      {mention.list}
      {collisions.length ? <Collision replies={collisions} onSendAnyway={() => void deliver(true)()} /> : null}
      {blocked ? (
        <Blocked problem={blocked} text={sentText}>
          {blocked.suggestion === 'move_to_private' ? <ContinuePrivately conversationId={conversationId} onReply={edit} /> : null}
        </Blocked>
      ) : send.error ? <ErrorNotice error={send.error} /> : null}
      {send.isSuccess && !text ? (
        <p className="muted" role="status">
          {send.variables.mode === 'reply' ? 'Reply queued for delivery.' : 'Note added.'}
        </p>
      ) : null}
      <div className="composer-actions">
        <span className="muted">
          {filesPending && attachments.hasFailed ? (
            'Retry or remove the file that failed to upload.'
          ) : (
            <>
              <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to send
            </>
          )}
        </span>
        <button type="submit" className="btn btn-primary" disabled={send.isPending || !text.trim() || collisions.length > 0 || over || filesPending}>
          {send.isPending ? 'Sending…' : filesPending && attachments.isBusy ? 'Uploading…' : mode === 'reply' ? 'Send reply' : 'Add note'}
        </button>
      </div>
    </form>
  );
};
