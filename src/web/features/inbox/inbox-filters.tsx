import { useChannels } from '../../api/queries.js';
import { priorityOptions, sentimentOptions, statusOptions, views, type InboxFilters as Filters } from './inbox-state.js';

const Select = ({ label, value, options, onChange, anyLabel }: { label: string; value: string; options: readonly { value: string; label: string }[]; onChange(v: string): void; anyLabel: string }) => (
  <label className="field field-inline">
    <span>{label}</span>
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{anyLabel}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  </label>
);

const plain = (values: readonly string[]) => values.map((v) => ({ value: v, label: v[0]?.toUpperCase() + v.slice(1) }));

export const InboxFilters = ({ filters, onChange }: { filters: Filters; onChange(next: Filters): void }) => {
  const channels = useChannels();
  return (
    <div className="filters">
      <nav aria-label="Inbox views" className="tabs">
        {views.map((v) => (
          <button key={v.id} type="button" className="tab" aria-pressed={filters.view === v.id} onClick={() => onChange({ ...filters, view: v.id })}>
            {v.label}
          </button>
        ))}
      </nav>
      <div className="filter-row">
        <Select label="Status" value={filters.status === 'any' ? '' : filters.status} anyLabel="Any status" options={plain(statusOptions)} onChange={(v) => onChange({ ...filters, status: v || 'any' })} />
        <Select label="Priority" value={filters.priority} anyLabel="Any priority" options={plain(priorityOptions)} onChange={(v) => onChange({ ...filters, priority: v })} />
        <Select label="Sentiment" value={filters.sentiment} anyLabel="Any sentiment" options={plain(sentimentOptions)} onChange={(v) => onChange({ ...filters, sentiment: v })} />
        {channels.data?.length ? (
          <Select label="Channel" value={filters.channelId} anyLabel="All channels" options={channels.data.map((c) => ({ value: c.id, label: `${c.name} (${c.platform})` }))} onChange={(v) => onChange({ ...filters, channelId: v })} />
        ) : null}
      </div>
    </div>
  );
};
