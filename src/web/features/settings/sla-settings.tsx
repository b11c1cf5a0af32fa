import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import type { SlaPolicyDto } from '../../api/types.js';
import { Chip } from '../../ui/chip.js';
import { ErrorNotice } from '../../ui/notice.js';
import { TableScroll } from '../../ui/table-scroll.js';

const minutes = (m: number): string => (m % 60 === 0 ? `${m / 60}h` : m > 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`);

/** SLA policies in evaluation order with their targets and business hours (read-only here; edited through the API). */
export const SlaSettings = () => {
  const policies = useQuery({ queryKey: ['sla-policies'], queryFn: () => api.get<{ items: SlaPolicyDto[] }>('/sla-policies').then((r) => r.items) });
  return (
    <section aria-label="SLA policies">
      <p className="muted">The first policy that matches a conversation sets its clocks. Edit policies with the API (<code>PUT /api/v1/sla-policies/:id</code>); running clocks keep their targets.</p>
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
};
