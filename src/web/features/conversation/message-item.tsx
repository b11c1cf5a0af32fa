import type { MessageClassification, MessageDto } from '../../api/types.js';
import { Chip, sentimentTone } from '../../ui/chip.js';
import { formatDateTime } from '../../ui/time.js';

const Classification = ({ c }: { c: MessageClassification }) => {
  const because = (label: string) => c.explanations?.find((e) => e.label === label)?.features ?? [];
  const rows: { name: string; value: string; tone: Parameters<typeof Chip>[0]['tone']; why: string[] }[] = [];
  if (c.sentiment) rows.push({ name: 'Sentiment', value: c.sentiment.label, tone: sentimentTone(c.sentiment.label), why: because('sentiment') });
  if (c.intent) rows.push({ name: 'Intent', value: `${c.intent.label.replace(/_/g, ' ')} (${Math.round(c.intent.score * 100)}%)`, tone: 'info', why: because('intent') });
  if (c.urgency) rows.push({ name: 'Urgency', value: c.urgency, tone: c.urgency === 'critical' ? 'urgent' : c.urgency === 'high' ? 'warn' : 'neutral', why: because('urgency') });
  if (c.escalation?.length) rows.push({ name: 'Escalation risk', value: c.escalation.join(', '), tone: 'urgent', why: because('escalation') });
  if (c.spam) rows.push({ name: 'Spam', value: 'yes', tone: 'warn', why: because('spam') });
  if (c.abusive) rows.push({ name: 'Abusive', value: 'yes', tone: 'bad', why: because('abuse') });
  if (c.pii?.length) rows.push({ name: 'Personal data', value: [...new Set(c.pii.map((p) => p.type))].join(', '), tone: 'warn', why: [] });
  if (rows.length === 0) return null;
  return (
    <details className="classification">
      <summary>
        {rows.slice(0, 3).map((r) => (
          <Chip key={r.name} tone={r.tone}>
            {r.value}
          </Chip>
        ))}
        <span className="muted"> why?</span>
      </summary>
      <dl>
        {rows.map((r) => (
          <div key={r.name} className="classification-row">
            <dt>{r.name}</dt>
            <dd>
              {r.value}
              {r.why.length ? <span className="muted"> because of “{r.why.join('”, “')}”</span> : null}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
};

/** One message of the timeline: who, where (public or private), text, delivery and the classifier's reading. */
export const MessageItem = ({ message: m }: { message: MessageDto }) => {
  const author = m.direction === 'out' ? (m.author.displayName ?? 'Us') : m.author.handle ? `@${m.author.handle}` : (m.author.displayName ?? m.author.platformId);
  return (
    <article className={`message message-${m.direction} message-${m.visibility}`} aria-label={`${m.visibility} ${m.direction === 'in' ? 'message from' : 'reply by'} ${author}`}>
      <header className="message-head">
        <strong>{author}</strong>
        {m.author.verified && m.direction === 'in' ? <Chip tone="info">verified</Chip> : null}
        <Chip tone={m.visibility === 'public' ? 'warn' : 'neutral'} title={m.visibility === 'public' ? 'Everyone can see this' : 'Only the customer and your team can see this'}>
          {m.visibility === 'public' ? 'Public' : 'Private'}
        </Chip>
        <span className="muted">{m.kind}</span>
        <time dateTime={m.createdAt} className="muted">
          {formatDateTime(m.createdAt)}
        </time>
        {m.url ? (
          <a href={m.url} target="_blank" rel="noreferrer noopener">
            view on platform
          </a>
        ) : null}
      </header>
      <p className="message-text">{m.deleted ? <em>(deleted by the author)</em> : m.text}</p>
      {m.delivery ? (
        <p className={`delivery delivery-${m.delivery.status}`}>
          Delivery: {m.delivery.status}
          {m.delivery.lastError ? ` — ${m.delivery.lastError}` : ''}
        </p>
      ) : null}
      {m.classification && m.direction === 'in' ? <Classification c={m.classification as MessageClassification} /> : null}
    </article>
  );
};
