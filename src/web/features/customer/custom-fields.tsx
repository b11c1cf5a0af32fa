import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import type { CustomerDto } from '../../api/types.js';
import { ErrorNotice } from '../../ui/notice.js';
import { customer360Key } from './customer-query.js';

const show = (value: unknown): string => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** CRM fields on the customer: read at a glance, set or clear one at a time. */
export const CustomFields = ({ customer }: { customer: CustomerDto }) => {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const save = useMutation({
    mutationFn: (patch: Record<string, string | null>) => api.patch(`/customers/${encodeURIComponent(customer.id)}/fields`, patch),
    onSuccess: async () => {
      setName('');
      setValue('');
      await client.invalidateQueries({ queryKey: customer360Key(customer.id) });
      await client.invalidateQueries({ queryKey: ['customer', customer.id] });
    },
  });
  const entries = Object.entries(customer.fields);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) save.mutate({ [name.trim()]: value });
  };
  return (
    <section aria-labelledby="fields-title">
      <h3 id="fields-title">Custom fields</h3>
      {entries.length === 0 ? <p className="muted">No fields yet: add an account number, plan or CRM link below.</p> : null}
      <dl className="fields">
        {entries.map(([key, v]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>
              {show(v)}{' '}
              <button type="button" className="btn btn-ghost btn-small" aria-label={`Clear ${key}`} onClick={() => save.mutate({ [key]: null })}>
                ×
              </button>
            </dd>
          </div>
        ))}
      </dl>
      <form className="inline-form" onSubmit={submit}>
        <label className="field">
          <span>Field</span>
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="plan" />
        </label>
        <label className="field">
          <span>Value</span>
          <input value={value} maxLength={2000} onChange={(e) => setValue(e.target.value)} placeholder="Fibre 500" />
        </label>
        <button type="submit" className="btn" disabled={!name.trim() || save.isPending}>
          Save field
        </button>
      </form>
      {save.error ? <ErrorNotice error={save.error} /> : null}
    </section>
  );
};
