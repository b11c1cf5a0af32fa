import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { SlaPolicyDto } from '../../api/types.js';
import { Chip } from '../../ui/chip.js';
import { ErrorNotice } from '../../ui/notice.js';
import { TableScroll } from '../../ui/table-scroll.js';
import { SlaPolicyForm } from './sla-policy-form.js';

const minutes = (m: number): string => (m % 60 === 0 ? `${m / 60}h` : m > 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`);

type Editing = { mode: 'new' } | { mode: 'edit'; policy: SlaPolicyDto } | { mode: 'copy'; policy: SlaPolicyDto } | null;

/** Edit, customise (built-ins are copied into a new policy) and delete, the last after a second click. */
const PolicyActions = ({ p, onEdit }: { p: SlaPolicyDto; onEdit(editing: Editing): void }) => {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({ mutationFn: () => api.delete(`/sla-policies/${encodeURIComponent(p.id)}`), onSuccess: () => client.invalidateQueries({ queryKey: ['sla-policies'] }) });
  if (p.builtin) {
    return (
      <button type="button" className="btn btn-small" onClick={() => onEdit({ mode: 'copy', policy: p })}>
        Customise {p.name}
      </button>
    );
  }
  return (
    <div className="button-row">
      <button type="button" className="btn btn-small" onClick={() => onEdit({ mode: 'edit', policy: p })}>
        Edit {p.name}
      </button>
      <button type="button" className="btn btn-small" disabled={remove.isPending} onClick={() => (confirming ? remove.mutate() : setConfirming(true))} onBlur={() => setConfirming(false)}>
        {confirming ? `Really delete ${p.name}?` : `Delete ${p.name}`}
      </button>
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
    </div>
  );
};

/** SLA policies in evaluation order with their targets and business hours; admins create, edit and delete them here. */
export const SlaSettings = () => {
  const policies = useQuery({ queryKey: ['sla-policies'], queryFn: () => api.get<{ items: SlaPolicyDto[] }>('/sla-policies').then((r) => r.items) });
  const [editing, setEditing] = useState<Editing>(null);
  return (
    <section aria-label="SLA policies">
      <p className="muted">The first policy that matches a conversation sets its clocks; where none matches, a built-in default applies. Running clocks keep the targets they started with.</p>
      {editing ? (
        <SlaPolicyForm key={editing.mode === 'new' ? 'new' : `${editing.mode}-${editing.policy.id}`} {...(editing.mode === 'edit' ? { policy: editing.policy } : editing.mode === 'copy' ? { copyOf: editing.policy } : {})} onDone={() => setEditing(null)} />
      ) : (
        <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'new' })}>
          New SLA policy
        </button>
      )}
      {policies.error ? <ErrorNotice error={policies.error} onRetry={() => void policies.refetch()} /> : null}
      <TableScroll label="SLA policies">
        <table className="data-table">
          <caption className="sr-only">SLA policies</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Applies to</th>
              <th scope="col">First response</th>
              <th scope="col">Next response</th>
              <th scope="col">Resolution</th>
              <th scope="col">Hours</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(policies.data ?? []).map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  {p.name} {p.builtin ? <Chip>built-in</Chip> : null}
                </th>
                <td>{[p.appliesTo.visibility ? `${p.appliesTo.visibility} conversations` : null, p.appliesTo.channels?.length ? `channels ${p.appliesTo.channels.join(', ')}` : null].filter(Boolean).join('; ') || 'everything'}</td>
                <td>{minutes(p.defaults.firstResponseMinutes)}</td>
                <td>{minutes(p.defaults.nextResponseMinutes)}</td>
                <td>{minutes(p.defaults.resolutionMinutes)}</td>
                <td>
                  {p.businessHours
                    ? `${Object.entries(p.calendar.hours)
                        .filter(([, spans]) => spans.length)
                        .map(([day, spans]) => `${day} ${spans.map((s) => `${s.open}–${s.close}`).join(', ')}`)
                        .join('; ')} (${p.calendar.timeZone})`
                    : 'around the clock'}
                  {p.overrides.length ? <span className="muted"> · {p.overrides.length} overrides</span> : null}
                  {p.businessHours && p.calendar.holidays.length ? <span className="muted"> · {p.calendar.holidays.length} holidays</span> : null}
                </td>
                <td>
                  <PolicyActions p={p} onEdit={setEditing} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
};
