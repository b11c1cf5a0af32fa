import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import type { RuleDryRunDto, RuleDto } from '../../api/types.js';
import { Chip } from '../../ui/chip.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';

const triggers = ['message_created', 'conversation_updated', 'sla_warning', 'incident_detected', 'schedule'] as const;
const exampleConditions = JSON.stringify({ all: [{ field: 'classification.intent.label', op: 'eq', value: 'billing' }] }, null, 2);
const exampleActions = JSON.stringify([{ type: 'tag', tags: ['billing'] }], null, 2);

const parseJson = (label: string, text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw Object.assign(new Error(`${label} is not valid JSON.`), { problem: { status: 400, code: 'invalid_json', title: 'Invalid JSON', detail: `${label} is not valid JSON: check the brackets and quotes.` } });
  }
};

/** What a rule would have done to recent messages; nothing is changed. */
const DryRun = ({ rule }: { rule: RuleDto }) => {
  const run = useMutation({ mutationFn: () => api.post<RuleDryRunDto>(`/rules/${encodeURIComponent(rule.id)}/dry-run`, { limit: 50 }) });
  return (
    <div>
      <button type="button" className="btn btn-small" disabled={run.isPending} onClick={() => run.mutate()}>
        Dry run {rule.name}
      </button>
      {run.error ? <ErrorNotice error={run.error} /> : null}
      {run.data ? (
        <div role="status" className="dry-run">
          <p>
            Would fire on <strong>{run.data.matched}</strong> of the last {run.data.examined} inbound messages.
          </p>
          <ul className="plain-list">
            {run.data.results
              .filter((r) => r.matched)
              .slice(0, 10)
              .map((r) => (
                <li key={r.messageId}>
                  “{r.text.slice(0, 120)}” → {r.actions.map((a) => String(a.type)).join(', ')}
                </li>
              ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
};

const NewRule = () => {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [trigger, setTrigger] = useState<string>('message_created');
  const [conditions, setConditions] = useState(exampleConditions);
  const [actions, setActions] = useState(exampleActions);
  const [everyMinutes, setEveryMinutes] = useState('60');
  const create = useMutation({
    // The server checks everyMinutes' range and names the field when it is out of it.
    mutationFn: () => api.post<RuleDto>('/rules', { name, trigger, enabled: false, conditions: parseJson('Conditions', conditions), actions: parseJson('Actions', actions), ...(trigger === 'schedule' ? { everyMinutes: Number(everyMinutes) } : {}) }),
    onSuccess: async () => {
      setName('');
      await client.invalidateQueries({ queryKey: ['rules'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card new-item rule-form" onSubmit={submit} aria-labelledby="new-rule-title">
      <h2 id="new-rule-title">Add a rule (created disabled: dry-run it first)</h2>
      <div className="inline-form">
        <label className="field">
          <span>Rule name</span>
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Trigger</span>
          <select value={trigger} onChange={(e) => setTrigger(e.target.value)}>
            {triggers.map((t) => (
              <option key={t} value={t}>
                {t.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        {trigger === 'schedule' ? (
          <label className="field">
            <span>Every N minutes</span>
            <input type="number" required min={1} max={10_080} step={1} value={everyMinutes} onChange={(e) => setEveryMinutes(e.target.value)} />
          </label>
        ) : null}
      </div>
      {trigger === 'schedule' ? <p className="muted">Runs over the open conversations its conditions match, every {everyMinutes || '…'} minutes (at most once a week).</p> : null}
      {trigger === 'incident_detected' ? <p className="muted">Runs over an incident&apos;s conversations when it is suspected and again when it is confirmed; conditions can read incident.status.</p> : null}
      <label className="field">
        <span>Conditions (JSON: all/any of field, op, value)</span>
        <textarea className="code" rows={5} value={conditions} onChange={(e) => setConditions(e.target.value)} />
      </label>
      <label className="field">
        <span>Actions (JSON: assign, tag, set_priority, reply_with_macro, send_private_link, notify_webhook, escalate, close_spam)</span>
        <textarea className="code" rows={3} value={actions} onChange={(e) => setActions(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        Add rule
      </button>
      {create.error ? <ErrorNotice error={create.error} /> : null}
    </form>
  );
};

/** Automation rules in evaluation order: read, switch on and off, and dry-run against recent traffic before trusting them. */
export const RulesSettings = () => {
  const client = useQueryClient();
  const rules = useQuery({ queryKey: ['rules'], queryFn: () => api.get<{ items: RuleDto[] }>('/rules').then((r) => r.items) });
  const toggle = useMutation({
    mutationFn: (rule: RuleDto) => api.put(`/rules/${encodeURIComponent(rule.id)}`, { name: rule.name, enabled: !rule.enabled, trigger: rule.trigger, conditions: rule.conditions, actions: rule.actions, stopProcessing: rule.stopProcessing, position: rule.position, ...(rule.everyMinutes === undefined ? {} : { everyMinutes: rule.everyMinutes }) }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['rules'] }),
  });
  return (
    <section aria-label="Automation rules">
      <NewRule />
      {rules.error ? <ErrorNotice error={rules.error} onRetry={() => void rules.refetch()} /> : null}
      {toggle.error ? <ErrorNotice error={toggle.error} /> : null}
      {rules.data?.length === 0 ? <EmptyState title="No rules yet">Rules tag, route, prioritise and answer by themselves. Add one above and dry-run it.</EmptyState> : null}
      <ol className="plain-list">
        {(rules.data ?? []).map((r) => (
          <li key={r.id} className="card rule">
            <h3>
              {r.name} <Chip tone={r.enabled ? 'good' : 'neutral'}>{r.enabled ? 'enabled' : 'disabled'}</Chip> <Chip tone="info">{r.trigger.replace(/_/g, ' ')}</Chip>
              {r.trigger === 'schedule' ? <Chip tone="neutral">every {r.everyMinutes ?? 60} minutes</Chip> : null}
              {r.stopProcessing ? <Chip tone="warn">stops later rules</Chip> : null}
            </h3>
            <details>
              <summary>Conditions and actions</summary>
              <pre className="code">{JSON.stringify({ conditions: r.conditions, actions: r.actions }, null, 2)}</pre>
            </details>
            <div className="button-row">
              <button type="button" className="btn btn-small" disabled={toggle.isPending} onClick={() => toggle.mutate(r)}>
                {r.enabled ? `Disable ${r.name}` : `Enable ${r.name}`}
              </button>
              <DryRun rule={r} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
};
