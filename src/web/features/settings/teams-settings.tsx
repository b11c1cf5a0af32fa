import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { useTeams, useUsers } from '../../api/queries.js';
import { Chip } from '../../ui/chip.js';
import { EmptyState, ErrorNotice } from '../../ui/notice.js';

/** Teams and the skills their members bring; membership and skills are edited per user under Users. */
export const TeamsSettings = () => {
  const client = useQueryClient();
  const teams = useTeams();
  const users = useUsers();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'service' | 'marketing'>('service');
  const create = useMutation({
    mutationFn: () => api.post('/teams', { name, kind }),
    onSuccess: async () => {
      setName('');
      await client.invalidateQueries({ queryKey: ['teams'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-label="Teams and skills">
      <form className="card inline-form new-item" onSubmit={submit} aria-labelledby="new-team-title">
        <h2 id="new-team-title">Add a team</h2>
        <label className="field">
          <span>Team name</span>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value === 'marketing' ? 'marketing' : 'service')}>
            <option value="service">Service (answers customers)</option>
            <option value="marketing">Marketing (praise and leads)</option>
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Add team
        </button>
        {create.error ? <ErrorNotice error={create.error} /> : null}
      </form>
      {teams.error ? <ErrorNotice error={teams.error} onRetry={() => void teams.refetch()} /> : null}
      {teams.data?.length === 0 ? <EmptyState title="No teams yet">Add one above, then put people in it under Users and roles.</EmptyState> : null}
      <div className="card-grid">
        {(teams.data ?? []).map((t) => {
          const members = (users.data ?? []).filter((u) => t.memberIds.includes(u.id));
          const skills = [...new Set(members.flatMap((u) => u.skills))].sort();
          return (
            <article key={t.id} className="card" aria-labelledby={`team-${t.id}`}>
              <h2 id={`team-${t.id}`}>
                {t.name} <Chip>{t.kind}</Chip>
              </h2>
              <p>{members.length ? members.map((u) => u.name).join(', ') : <span className="muted">No members yet.</span>}</p>
              <p>
                {skills.map((s) => (
                  <Chip key={s} tone="info">
                    {s}
                  </Chip>
                ))}
              </p>
            </article>
          );
        })}
      </div>
    </section>
  );
};
