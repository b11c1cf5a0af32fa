import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../../api/client.js';
import { useCustomer, useUsers } from '../../api/queries.js';
import type { ConversationDto, MessageDto, NoteDto } from '../../api/types.js';
import { bandTone, Chip, sentimentTone } from '../../ui/chip.js';
import { useShortcuts } from '../../ui/keys.js';
import { ErrorNotice } from '../../ui/notice.js';
import { formatDateTime, slaState, useNow } from '../../ui/time.js';
import { useSession } from '../auth/session.js';
import { CustomerPanel } from '../customer/customer-panel.js';
import { usePollInterval } from '../live/live-events.js';
import { CollisionIndicator, usePresenceReporter } from '../live/presence.js';
import { Composer, replyBoxId } from './composer.js';
import { AssignMenu, CallbackMenu, MergeDialog, SnoozeMenu, useSplit } from './conversation-actions.js';
import './conversation-tools.css';
import { OperationsHistory } from './operations-history.js';
import { UndoToast } from './undo-toast.js';
import type { SplitScope } from './message-item.js';
import { can } from '../../../shared/permissions.js';
import type { ConversationOperationDto } from '../../../shared/api.js';
import { linkTo } from '../../routes/router.js';
import { conversationQuery } from './conversation-query.js';
import { MessageItem } from './message-item.js';

/** A merged-away conversation: where its messages went, and its undo while that is still safe. */
const Tombstone = ({ c }: { c: ConversationDto }) => {
  const client = useQueryClient();
  const href = `/c/${encodeURIComponent(c.mergedIntoId ?? '')}`;
  const ops = useQuery({ queryKey: ['conversation', c.id, 'operations'], queryFn: () => api.get<{ items: ConversationOperationDto[] }>(`/conversations/${encodeURIComponent(c.id)}/operations`) });
  const merge = ops.data?.items.find((o) => o.kind === 'merge' && o.sourceId === c.id && o.undoneAt === null);
  const undo = useMutation({
    mutationFn: (id: string) => api.post<ConversationOperationDto>(`/conversation-operations/${encodeURIComponent(id)}/undo`),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['conversation'] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
  return (
    <section className="conversation" aria-label="Merged conversation">
      <div className="notice notice-info tombstone" role="status">
        <p>
          <strong>This conversation was merged.</strong> Its messages, notes and SLA clocks are now in{' '}
          <a href={href} onClick={linkTo(href)}>
            the conversation it was merged into
          </a>
          .
        </p>
        {merge ? (
          <p>
            <span className="muted">Merged {formatDateTime(merge.createdAt)}. </span>
            <button type="button" className="btn" disabled={undo.isPending} onClick={() => undo.mutate(merge.id)}>
              Undo the merge
            </button>
          </p>
        ) : null}
      </div>
      {undo.error ? <ErrorNotice error={undo.error} /> : null}
      <UndoToast />
    </section>
  );
};

type Entry = { at: string; message: MessageDto } | { at: string; note: NoteDto };

const Header = ({ c, platform }: { c: ConversationDto; platform: string | null }) => {
  const { user } = useSession();
  const client = useQueryClient();
  const customer = useCustomer(c.customerId);
  const users = useUsers();
  const now = useNow(30_000);
  const sla = c.status === 'open' || c.status === 'pending' || c.status === 'snoozed' ? slaState(c.slaDueAt, now) : null;
  const assignee = c.assigneeId ? (c.assigneeId === user.id ? 'you' : (users.data?.find((u) => u.id === c.assigneeId)?.name ?? 'a teammate')) : 'nobody';
  const change = useMutation({
    mutationFn: (action: { assign: string | null } | { status: string }) =>
      'assign' in action ? api.post<ConversationDto>(`/conversations/${encodeURIComponent(c.id)}/assign`, { assigneeId: action.assign }) : api.post<ConversationDto>(`/conversations/${encodeURIComponent(c.id)}/status`, { status: action.status }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['conversation', c.id] });
      await client.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
  const isResolved = c.status === 'resolved' || c.status === 'closed';
  const canMerge = can(user.role, 'conversations:merge');
  useShortcuts({
    e: () => change.mutate({ status: isResolved ? 'open' : 'resolved' }),
    a: () => {
      if (c.assigneeId !== user.id) change.mutate({ assign: user.id });
    },
  });
  return (
    <header className="conversation-head">
      <div>
        <h2>{customer.data?.handle ? `@${customer.data.handle}` : (customer.data?.displayName ?? c.subject ?? 'Conversation')}</h2>
        <p className="muted">
          {c.visibility === 'private' ? 'Private conversation' : 'Public conversation'} · {c.messageCount} {c.messageCount === 1 ? 'message' : 'messages'} · assigned to {assignee} · status <strong>{c.status}</strong>
        </p>
        <p className="conversation-chips">
          <Chip tone={bandTone(c.priorityBand)} title={c.priorityParts.map((p) => `${p.name} +${p.points}: ${p.why}`).join('\n')}>
            {c.priorityBand} priority ({c.priority})
          </Chip>
          {c.sentiment ? <Chip tone={sentimentTone(c.sentiment)}>{c.sentiment}</Chip> : null}
          {c.intent ? <Chip tone="info">{c.intent.replace(/_/g, ' ')}</Chip> : null}
          {sla ? <span className={`sla sla-${sla.state}`}>{sla.text}</span> : null}
          {c.status === 'snoozed' && c.snoozedUntil ? <Chip tone="info">snoozed until {formatDateTime(c.snoozedUntil)}</Chip> : null}
        </p>
        <CollisionIndicator conversationId={c.id} />
        {c.priorityParts.length ? (
          <details>
            <summary>Why this priority?</summary>
            <ul>
              {c.priorityParts.map((p) => (
                <li key={p.name}>
                  {p.name} +{p.points}: {p.why}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </div>
      <div className="conversation-actions">
        {c.assigneeId !== user.id ? (
          <button type="button" className="btn" disabled={change.isPending} onClick={() => change.mutate({ assign: user.id })}>
            Assign to me <kbd aria-hidden="true">a</kbd>
          </button>
        ) : null}
        {can(user.role, 'conversations:assign') ? <AssignMenu c={c} pending={change.isPending} onAssign={(id) => change.mutate({ assign: id })} /> : null}
        {isResolved || !can(user.role, 'conversations:write') ? null : <SnoozeMenu c={c} />}
        {platform === 'phone' && can(user.role, 'conversations:write') ? <CallbackMenu c={c} /> : null}
        {canMerge ? <MergeDialog c={c} /> : null}
        <button type="button" className={isResolved ? 'btn' : 'btn btn-primary'} disabled={change.isPending} onClick={() => change.mutate({ status: isResolved ? 'open' : 'resolved' })}>
          {isResolved ? 'Reopen' : 'Resolve'} <kbd aria-hidden="true">e</kbd>
        </button>
      </div>
      {change.error ? <ErrorNotice error={change.error} /> : null}
    </header>
  );
};

/** A conversation: header with actions, the timeline of messages and internal notes, and the composer. */
export const ConversationView = ({ id }: { id: string }) => {
  const detail = useQuery({ ...conversationQuery(id), refetchInterval: usePollInterval(5_000) });
  const users = useUsers();
  const client = useQueryClient();
  const reportTyping = usePresenceReporter(id);
  const { user } = useSession();
  const split = useSplit(id);
  useShortcuts({ r: () => document.getElementById(replyBoxId)?.focus() });

  useEffect(() => {
    // Marking read is best effort: a failure only leaves the unread badge on.
    api.post(`/conversations/${encodeURIComponent(id)}/read`).then(
      () => client.invalidateQueries({ queryKey: ['conversations'] }),
      () => undefined,
    );
  }, [id, client]);

  if (detail.error) return <ErrorNotice error={detail.error} onRetry={() => void detail.refetch()} />;
  if (!detail.data) return <p className="muted">Loading conversation…</p>;
  const { conversation, messages, notes } = detail.data;
  if (conversation.mergedIntoId) return <Tombstone c={conversation} />;
  const canSplit = messages.length > 1 && can(user.role, 'conversations:merge');
  const entries: Entry[] = [...messages.map((m) => ({ at: m.createdAt, message: m })), ...notes.map((n) => ({ at: n.createdAt, note: n }))].sort((a, b) => a.at.localeCompare(b.at));

  return (
    <div className="conversation-layout">
    <section className="conversation" aria-label="Conversation">
      <Header c={conversation} platform={detail.data.channel?.platform ?? null} />
      <OperationsHistory conversationId={conversation.id} />
      {split.error ? <ErrorNotice error={split.error} /> : null}
      <UndoToast />
      <ol className="timeline" aria-label="Timeline">
        {entries.map((e) =>
          'message' in e ? (
            <li key={e.message.id}>
              <MessageItem message={e.message} {...(canSplit ? { onSplit: (scope: SplitScope) => split.mutate({ messageId: e.message.id, scope }) } : {})} />
            </li>
          ) : (
            <li key={e.note.id}>
              <article className="note" aria-label="Internal note">
                <header className="message-head">
                  <strong>{users.data?.find((u) => u.id === e.note.authorId)?.name ?? 'Teammate'}</strong>
                  <Chip tone="neutral">Internal note</Chip>
                  <time dateTime={e.note.createdAt} className="muted">
                    {formatDateTime(e.note.createdAt)}
                  </time>
                </header>
                <p className="message-text">{e.note.body}</p>
              </article>
            </li>
          ),
        )}
      </ol>
      <Composer conversationId={id} isPublic={conversation.visibility !== 'private'} platform={detail.data.channel?.platform ?? null} messages={messages} onTyping={reportTyping} conversation={conversation} />
    </section>
    {conversation.customerId ? <CustomerPanel customerId={conversation.customerId} currentConversationId={conversation.id} /> : null}
    </div>
  );
};
