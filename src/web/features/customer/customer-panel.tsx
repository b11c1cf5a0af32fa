import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import { useChannels } from '../../api/queries.js';
import { Chip, sentimentTone } from '../../ui/chip.js';
import { ErrorNotice } from '../../ui/notice.js';
import { timeAgo, useNow } from '../../ui/time.js';
import { linkTo } from '../../routes/router.js';
import { CustomFields } from './custom-fields.js';
import { CustomerNotes } from './customer-notes.js';
import { customer360Key, type Customer360 } from './customer-query.js';
import { MergeSuggestions } from './merge-suggestions.js';


const tierLabel: Record<string, string> = { standard: 'under 1k followers', micro: '1k–10k followers', mid: '10k–100k followers', macro: '100k–1M followers', mega: 'over 1M followers' };

const compact = (n: number): string => new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(n);

/** The customer 360 beside a conversation: who they are on every channel, their reach, history and CRM fields. */
export const CustomerPanel = ({ customerId, currentConversationId }: { customerId: string; currentConversationId: string }) => {
  const view = useQuery({ queryKey: customer360Key(customerId), queryFn: () => api.get<Customer360>(`/customers/${encodeURIComponent(customerId)}`), staleTime: 30_000 });
  const channels = useChannels();
  const capabilities = useCapabilities();
  const now = useNow(60_000);
  if (view.error) return <aside className="customer-panel" aria-label="Customer"><ErrorNotice error={view.error} onRetry={() => void view.refetch()} /></aside>;
  if (!view.data) return <aside className="customer-panel muted" aria-label="Customer">Loading customer…</aside>;
  const { customer, identities, conversations } = view.data;
  const name = customer.displayName ?? (customer.handle ? `@${customer.handle}` : 'Unknown customer');
  const others = conversations.filter((c) => c.id !== currentConversationId);
  return (
    <aside className="customer-panel" aria-labelledby="customer-title">
      <h2 id="customer-title">{name}</h2>
      <p className="muted">
        {customer.handle ? `@${customer.handle} · ` : ''}
        {compact(customer.followers)} followers {customer.verified ? <Chip tone="info">verified</Chip> : null}
      </p>
      <p>
        <Chip tone={customer.tier === 'macro' || customer.tier === 'mega' ? 'warn' : 'neutral'} title={tierLabel[customer.tier] ?? customer.tier}>
          reach: {customer.tier}
        </Chip>
        <span className="muted">customer since {new Date(customer.createdAt).toLocaleDateString()}</span>
      </p>

      <h3>Identities ({identities.length})</h3>
      <ul className="plain-list">
        {identities.map((i) => (
          <li key={i.id}>
            <strong className="row-channel">{i.platform}</strong> {i.handle ? `@${i.handle}` : (i.displayName ?? i.platformId)}
            <span className="muted"> · {compact(i.followers)} followers</span>
            {i.verified ? <Chip tone="info">verified</Chip> : null}
          </li>
        ))}
      </ul>

      {capabilities.has('GET', '/api/v1/customers/{id}/suggestions') ? <MergeSuggestions customerId={customer.id} canUndo={capabilities.has('POST', '/api/v1/merges/{id}/undo')} /> : null}

      <h3>History across channels</h3>
      {others.length === 0 ? (
        <p className="muted">This is their first conversation with us.</p>
      ) : (
        <ul className="plain-list history">
          {others.map((c) => {
            const channel = channels.data?.find((x) => x.id === c.channelId);
            const href = `/c/${encodeURIComponent(c.id)}`;
            return (
              <li key={c.id}>
                <a href={href} onClick={linkTo(href)}>
                  <span className="row-channel">{channel?.platform ?? (c.visibility === 'private' ? 'DM' : 'public')}</span> {c.lastMessagePreview || c.subject || '(no text)'}
                </a>
                <span className="history-meta">
                  <Chip>{c.status}</Chip>
                  {c.sentiment ? <Chip tone={sentimentTone(c.sentiment)}>{c.sentiment}</Chip> : null}
                  <span className="muted">{timeAgo(c.lastMessageAt, now)}</span>
                </span>
              </li>
            );
          })}
        </ul>
      )}

      <CustomFields customer={customer} />
      <CustomerNotes customerId={customer.id} />
    </aside>
  );
};
