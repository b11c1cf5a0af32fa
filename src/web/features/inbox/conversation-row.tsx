import type { KeyboardEvent, MouseEvent } from 'react';
import { useChannels, useCustomer } from '../../api/queries.js';
import type { ConversationDto } from '../../api/types.js';
import { bandTone, Chip, sentimentTone } from '../../ui/chip.js';
import { slaState, timeAgo } from '../../ui/time.js';
import { holdingReplyNudge } from '../../../shared/holding-reply.js';
import { useHoldingReply } from '../conversation/holding-reply.js';
import { ErrorNotice } from '../../ui/notice.js';

interface RowProps {
  conversation: ConversationDto;
  href: string;
  selected: boolean;
  active: boolean;
  now: number;
  onOpen(): void;
  onFocus(): void;
  /** Position in the whole list; the virtualised list renders only some rows, each placed at `offset` pixels. */
  index: number;
  /** How many rows the list has, or -1 while more pages may follow. */
  setSize: number;
  measureRef(element: HTMLLIElement | null): void;
  offset: number;
}

export const ConversationRow = ({ conversation: c, href, selected, active, now, onOpen, onFocus, index, setSize, measureRef, offset }: RowProps) => {
  // List rows carry the customer's handle and name; older servers do not, and then the profile is fetched (and cached).
  const hasCustomerOnRow = c.customerHandle !== undefined || c.customerName !== undefined;
  const customer = useCustomer(hasCustomerOnRow ? null : c.customerId);
  const channels = useChannels();
  const channel = channels.data?.find((x) => x.id === c.channelId);
  const sla = c.status === 'open' || c.status === 'pending' ? slaState(c.slaDueAt, now) : null;
  const handle = hasCustomerOnRow ? c.customerHandle : customer.data?.handle;
  const name = hasCustomerOnRow ? c.customerName : customer.data?.displayName;
  const who = handle ? `@${handle}` : (name ?? 'Unknown customer');
  // Waiting for our response with its deadline within three minutes or past: the holding reply is offered on the row,
  // so an agent busy with another answer can acknowledge this customer without opening the conversation.
  const nudge = holdingReplyNudge(c, now);
  const holding = useHoldingReply(c.id, channel ? channel.platform : null, nudge !== null);
  const offerHolding = holding.canReply && (nudge !== null || holding.send.isSuccess || holding.send.isError);
  const open = (event: MouseEvent | KeyboardEvent) => {
    if ('button' in event && (event.button !== 0 || event.metaKey || event.ctrlKey)) return;
    event.preventDefault();
    onOpen();
  };
  return (
    <li
      className={`row${selected ? ' row-selected' : ''}${c.unreadCount > 0 ? ' row-unread' : ''}`}
      data-conversation-id={c.id}
      data-index={index}
      ref={measureRef}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      style={{ transform: `translateY(${offset}px)` }}
    >
      <a href={href} aria-current={active ? 'page' : undefined} onClick={open} onFocus={onFocus} className="row-link">
        <span className="row-top">
          <span className="row-channel">{channel ? channel.platform : c.visibility === 'private' ? 'DM' : 'Public'}</span>
          <span className="row-who">{who}</span>
          {c.unreadCount > 0 ? <span className="row-unread-count">{c.unreadCount} new</span> : null}
          <span className="row-time">{timeAgo(c.lastMessageAt, now)}</span>
        </span>
        <span className="row-preview">{c.lastMessagePreview || c.subject || '(no text)'}</span>
        <span className="row-chips">
          <Chip tone={bandTone(c.priorityBand)} title={`priority ${c.priority}`}>
            {c.priorityBand}
          </Chip>
          {c.sentiment ? <Chip tone={sentimentTone(c.sentiment)}>{c.sentiment}</Chip> : null}
          {c.intent ? <Chip tone="info">{c.intent.replace(/_/g, ' ')}</Chip> : null}
          {c.status !== 'open' ? <Chip>{c.status}</Chip> : null}
          {c.answerOwedSince ? (
            <Chip tone="warn" title="A holding reply went out; the customer still waits for the full answer">
              answer owed
            </Chip>
          ) : null}
          {sla ? <span className={`sla sla-${sla.state}`}>{sla.text}</span> : null}
        </span>
      </a>
      {offerHolding ? (
        // Beside the row link, not inside it: a button nested in a link is neither valid nor reachable as itself.
        <div className="row-action">
          {nudge !== null && !holding.send.isSuccess ? (
            <>
              <button
                type="button"
                className="btn btn-small"
                disabled={holding.send.isPending}
                aria-label={`Send holding reply to ${who}`}
                aria-describedby={`row-holding-${c.id}`}
                onClick={() => holding.send.mutate()}
              >
                {holding.send.isPending ? 'Sending…' : 'Send holding reply'}
              </button>
              <span id={`row-holding-${c.id}`} className="muted">
                {nudge.overdue ? 'Response deadline passed. ' : `Waited ${nudge.waitedMinutes} min. `}
                {holding.describe}
              </span>
            </>
          ) : null}
          <span role="status" className="row-action-result">
            {holding.send.isSuccess ? `Holding reply sent to ${who}; the full answer is still owed.` : ''}
          </span>
          {holding.send.error ? <ErrorNotice error={holding.send.error} /> : null}
        </div>
      ) : null}
    </li>
  );
};
