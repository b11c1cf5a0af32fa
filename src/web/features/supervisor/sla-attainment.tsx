import { useQuery } from '@tanstack/react-query';
import { can } from '../../../shared/permissions.js';
import { api, queryString } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';
import { useSession } from '../auth/session.js';
import { TableScroll } from '../../ui/table-scroll.js';

interface SlaReport {
  policies: { policyId: string; policyName: string; metric: string; met: number; breached: number; pending: number; pct: number | null }[];
}

const metricLabel: Record<string, string> = { first_response: 'First response', next_response: 'Next response', resolution: 'Resolution' };

/** SLA attainment per policy and metric for clocks started in the last 24 hours, from the reports API when it exists. */
export const SlaAttainment = () => {
  const { user } = useSession();
  const capabilities = useCapabilities();
  const enabled = can(user.role, 'reports:read') && capabilities.has('GET', '/api/v1/reports/sla');
  const report = useQuery({
    queryKey: ['dashboard', 'sla-report'],
    // The window is fixed when the query runs; a refetch moves it forward.
    queryFn: () => api.get<SlaReport>(`/reports/sla${queryString({ from: new Date(Date.now() - 24 * 3_600_000).toISOString() })}`),
    enabled,
    refetchInterval: 60_000,
  });
  if (!enabled) return null;
  const rows = report.data?.policies ?? [];
  return (
    <section className="card" aria-labelledby="attainment-title">
      <h2 id="attainment-title">SLA attainment, last 24 hours</h2>
      {report.error ? <ErrorNotice error={report.error} onRetry={() => void report.refetch()} /> : null}
      {report.isSuccess && rows.length === 0 ? <EmptyState title="No SLA clocks yet">Clocks start when a conversation that needs a response arrives.</EmptyState> : null}
      {rows.length ? (
        <TableScroll label="SLA attainment by policy and metric">
        <table className="data-table">
          <caption className="sr-only">SLA attainment by policy and metric</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Metric</th>
              <th scope="col">Met</th>
              <th scope="col">Breached</th>
              <th scope="col">Running</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.policyId}-${r.metric}`}>
                <th scope="row">{r.policyName}</th>
                <td>{metricLabel[r.metric] ?? r.metric}</td>
                <td>
                  {r.met} {r.pct === null ? '' : <strong>({Math.round(r.pct)}%)</strong>}
                </td>
                <td>{r.breached}</td>
                <td>{r.pending}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableScroll>
      ) : null}
    </section>
  );
};
