import { useEffect, useState } from 'react';
import { useChannels } from '../../api/queries.js';
import { InboxSearch } from './inbox-search.js';
import {
  activeFilterCount,
  intentSuggestions,
  languageSuggestions,
  priorityOptions,
  sentimentOptions,
  slaOptions,
  statusOptions,
  tierOptions,
  views,
  type InboxFilters as Filters,
} from './inbox-state.js';

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

/** A free-text filter with suggestions (a workspace may have its own intents); applied on change of the settled value. */
const Suggest = ({ label, value, suggestions, onChange, placeholder }: { label: string; value: string; suggestions: readonly { value: string; label: string }[]; onChange(v: string): void; placeholder: string }) => {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const listId = `suggest-${label.toLowerCase()}`;
  const commit = () => {
    if (text.trim() !== value) onChange(text.trim());
  };
  return (
    <label className="field field-inline">
      <span>{label}</span>
      <input
        list={listId}
        value={text}
        size={12}
        placeholder={placeholder}
        onChange={(e) => {
          setText(e.target.value);
          // Picking a suggestion applies at once; typing applies on Enter or leaving the field.
          if (suggestions.some((s) => s.value === e.target.value)) onChange(e.target.value);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </datalist>
    </label>
  );
};

const plain = (values: readonly string[]) => values.map((v) => ({ value: v, label: v[0]?.toUpperCase() + v.slice(1) }));

const languageNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'language' }) : null;
const languageLabel = (code: string): string => {
  if (code === 'und') return 'undetermined';
  try {
    return languageNames?.of(code) ?? code;
  } catch {
    return code;
  }
};

export const InboxFilters = ({ filters, onChange }: { filters: Filters; onChange(next: Filters): void }) => {
  const channels = useChannels();
  const more = activeFilterCount(filters) - (filters.status !== 'open' ? 1 : 0) - [filters.priority, filters.sentiment, filters.channelId].filter(Boolean).length;
  const [showMore, setShowMore] = useState(more > 0);
  const clear = () => onChange({ ...filters, status: 'open', priority: '', sentiment: '', channelId: '', intent: '', language: '', sla: '', tier: '' });
  return (
    <div className="filters">
      <nav aria-label="Inbox views" className="tabs">
        {views.map((v) => (
          <button key={v.id} type="button" className="tab" aria-pressed={filters.view === v.id} onClick={() => onChange({ ...filters, view: v.id })}>
            {v.label}
          </button>
        ))}
      </nav>
      <InboxSearch value={filters.q} onSearch={(q) => onChange({ ...filters, q: q.trim() })} />
      <div className="filter-row">
        <Select label="Status" value={filters.status === 'any' ? '' : filters.status} anyLabel="Any status" options={plain(statusOptions)} onChange={(v) => onChange({ ...filters, status: v || 'any' })} />
        <Select label="Priority" value={filters.priority} anyLabel="Any priority" options={plain(priorityOptions)} onChange={(v) => onChange({ ...filters, priority: v })} />
        <Select label="Sentiment" value={filters.sentiment} anyLabel="Any sentiment" options={plain(sentimentOptions)} onChange={(v) => onChange({ ...filters, sentiment: v })} />
        {channels.data?.length ? (
          <Select label="Channel" value={filters.channelId} anyLabel="All channels" options={channels.data.map((c) => ({ value: c.id, label: `${c.name} (${c.platform})` }))} onChange={(v) => onChange({ ...filters, channelId: v })} />
        ) : null}
        <button type="button" className="btn btn-small btn-ghost" aria-expanded={showMore} aria-controls="more-filters" onClick={() => setShowMore((s) => !s)}>
          {showMore ? 'Fewer filters' : `More filters${more > 0 ? ` (${more})` : ''}`}
        </button>
        {activeFilterCount(filters) > 0 ? (
          <button type="button" className="btn btn-small btn-ghost" onClick={clear}>
            Clear filters
          </button>
        ) : null}
      </div>
      {showMore ? (
        <div className="filter-row" id="more-filters">
          <Suggest label="Intent" value={filters.intent} placeholder="any" suggestions={intentSuggestions.map((i) => ({ value: i, label: i.replace(/_/g, ' ') }))} onChange={(v) => onChange({ ...filters, intent: v })} />
          <Suggest label="Language" value={filters.language} placeholder="any" suggestions={languageSuggestions.map((l) => ({ value: l, label: languageLabel(l) }))} onChange={(v) => onChange({ ...filters, language: v })} />
          <Select label="SLA" value={filters.sla} anyLabel="Any SLA state" options={slaOptions} onChange={(v) => onChange({ ...filters, sla: v })} />
          <Select label="Follower tier" value={filters.tier} anyLabel="Any tier" options={tierOptions} onChange={(v) => onChange({ ...filters, tier: v })} />
        </div>
      ) : null}
    </div>
  );
};
