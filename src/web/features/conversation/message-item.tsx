import { useRef } from 'react';
import { useChannels } from '../../api/queries.js';
import type { MessageClassification, MessageDto } from '../../api/types.js';
import { Chip, sentimentTone, type Tone } from '../../ui/chip.js';
import { formatDateTime } from '../../ui/time.js';
import { LabelMenu, labelText, type CorrectableField } from './label-correction.js';
import { MessageAttachments } from './message-attachments.js';

export type SplitScope = 'message' | 'replies' | 'following';

type Classified = MessageClassification & { corrections?: Partial<Record<CorrectableField, string>> };

const Classification = ({ messageId, c }: { messageId: string; c: Classified }) => {
  const because = (label: string) => c.explanations?.find((e) => e.label === label)?.features ?? [];
  const fixed = c.corrections ?? {};
  const labels: { field: CorrectableField; value: string; tone: Tone; suffix?: string }[] = [];
  const sentiment = fixed.sentiment ?? c.sentiment?.label;
  if (sentiment) labels.push({ field: 'sentiment', value: sentiment, tone: sentimentTone(sentiment) });
  const intent = fixed.intent ?? c.intent?.label;
  if (intent) labels.push({ field: 'intent', value: intent, tone: 'info', ...(fixed.intent || !c.intent ? {} : { suffix: ` ${Math.round(c.intent.score * 100)}%` }) });
  const urgency = fixed.urgency ?? c.urgency;
  if (urgency) labels.push({ field: 'urgency', value: urgency, tone: urgency === 'critical' ? 'urgent' : urgency === 'high' ? 'warn' : 'neutral' });
  const spam = fixed.spam ?? (c.spam ? 'true' : undefined);
  if (spam) labels.push({ field: 'spam', value: spam, tone: spam === 'true' ? 'warn' : 'neutral' });
  const language = fixed.language ?? c.language;
  if (language) labels.push({ field: 'language', value: language, tone: 'neutral' });
  const rows: { name: string; value: string; why: string[] }[] = [];
  if (c.sentiment) rows.push({ name: 'Sentiment', value: c.sentiment.label, why: because('sentiment') });
  if (c.intent) rows.push({ name: 'Intent', value: `${c.intent.label.replace(/_/g, ' ')} (${Math.round(c.intent.score * 100)}%)`, why: because('intent') });
  if (c.urgency) rows.push({ name: 'Urgency', value: c.urgency, why: because('urgency') });
  if (c.escalation?.length) rows.push({ name: 'Escalation risk', value: c.escalation.join(', '), why: because('escalation') });
  if (c.spam) rows.push({ name: 'Spam', value: 'yes', why: because('spam') });
  if (c.abusive) rows.push({ name: 'Abusive', value: 'yes', why: because('abuse') });
  if (c.pii?.length) rows.push({ name: 'Personal data', value: [...new Set(c.pii.map((p) => p.type))].join(', '), why: [] });
  if (labels.length === 0 && rows.length === 0) return null;
  return (
    <div className="classification">
      <div className="classification-labels" role="group" aria-label="Classifier labels (click one to correct it)">
        {labels.map((l) => (
          <LabelMenu key={l.field} messageId={messageId} field={l.field} value={l.value} tone={l.tone} corrected={fixed[l.field] !== undefined} {...(l.suffix ? { suffix: l.suffix } : {})} />
        ))}
        {c.escalation?.length ? <Chip tone="urgent">{c.escalation.join(', ')}</Chip> : null}
        {c.abusive ? <Chip tone="bad">abusive</Chip> : null}
      </div>
      {rows.length ? (
        <details>
          <summary className="muted">Why these labels?</summary>
          <dl>
            {rows.map((r) => (
              <div key={r.name} className="classification-row">
                <dt>{r.name}</dt>
                <dd>
                  {r.value}
                  {r.why.length ? <span className="muted"> because of “{r.why.join('”, “')}”</span> : null}
                  {r.name.toLowerCase() in fixed ? <span className="label-corrected"> · corrected to {labelText(r.name.toLowerCase() as CorrectableField, fixed[r.name.toLowerCase() as CorrectableField] ?? '')}</span> : null}
                </dd>
              </div>
            ))}
          </dl>
        </details>
      ) : null}
    </div>
  );
};

/** Splitting off a message: alone, with its replies, or with everything after it. */
const SplitMenu = ({ onSplit }: { onSplit(scope: SplitScope): void }) => {
  const menu = useRef<HTMLDetailsElement>(null);
  const pick = (scope: SplitScope) => () => {
    if (menu.current) menu.current.open = false;
    onSplit(scope);
  };
  return (
    <details className="menu message-tools" ref={menu}>
      <summary className="btn btn-ghost">
        Split…<span className="sr-only"> this message into a new conversation</span>
      </summary>
      <ul className="menu-list menu-list-end" aria-label="Split into a new conversation">
        <li>
          <button type="button" onClick={pick('message')}>This message only</button>
        </li>
        <li>
          <button type="button" onClick={pick('replies')}>This message and its replies</button>
        </li>
        <li>
          <button type="button" onClick={pick('following')}>This message and everything after</button>
        </li>
      </ul>
    </details>
  );
};

/** One message of the timeline: who, where (public or private), text, delivery and the classifier's reading. */
export const MessageItem = ({ message: m, onSplit }: { message: MessageDto; onSplit?: (scope: SplitScope) => void }) => {
  // A merged conversation can hold messages from several channels: each says where it came from.
  const platform = useChannels().data?.find((c) => c.id === m.channelId)?.platform ?? null;
  const author = m.direction === 'out' ? (m.author.displayName ?? 'Us') : m.author.handle ? `@${m.author.handle}` : (m.author.displayName ?? m.author.platformId);
  return (
    <article className={`message message-${m.direction} message-${m.visibility}`} aria-label={`${m.visibility} ${m.direction === 'in' ? 'message from' : 'reply by'} ${author}`}>
      <header className="message-head">
        <strong>{author}</strong>
        {m.author.verified && m.direction === 'in' ? <Chip tone="info">verified</Chip> : null}
        <Chip tone={m.visibility === 'public' ? 'warn' : 'neutral'} title={m.visibility === 'public' ? 'Everyone can see this' : 'Only the customer and your team can see this'}>
          {m.visibility === 'public' ? 'Public' : 'Private'}
        </Chip>
        <span className="muted">
          {platform ? `${platform} · ` : ''}
          {m.kind}
        </span>
        <time dateTime={m.createdAt} className="muted">
          {formatDateTime(m.createdAt)}
        </time>
        {m.url ? (
          <a href={m.url} target="_blank" rel="noreferrer noopener">
            view on platform
          </a>
        ) : null}
        {onSplit ? <SplitMenu onSplit={onSplit} /> : null}
      </header>
      <p className="message-text">{m.deleted ? <em>(deleted by the author)</em> : m.text}</p>
      {m.attachments?.length && !m.deleted ? <MessageAttachments attachments={m.attachments} /> : null}
      {m.delivery ? (
        <p className={`delivery delivery-${m.delivery.status}`}>
          Delivery: {m.delivery.status}
          {m.delivery.lastError ? ` — ${m.delivery.lastError}` : ''}
        </p>
      ) : null}
      {m.classification && m.direction === 'in' ? <Classification messageId={m.id} c={m.classification as Classified} /> : null}
    </article>
  );
};
