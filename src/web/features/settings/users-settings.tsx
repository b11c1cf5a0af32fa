import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { roles, type Role } from '../../../shared/permissions.js';
import { api } from '../../api/client.js';
import { useTeams, useUsers } from '../../api/queries.js';
import type { UserDto } from '../../api/types.js';
import { Chip } from '../../ui/chip.js';
import { ErrorNotice } from '../../ui/notice.js';
import { useSession } from '../auth/session.js';
import { TableScroll } from '../../ui/table-scroll.js';

type UserPatch = Partial<Pick<UserDto, 'name' | 'role' | 'capacity' | 'disabled' | 'teamIds' | 'skills'>>;

const parseSkills = (text: string): string[] => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

const UserRow = ({ u, isSelf }: { u: UserDto; isSelf: boolean }) => {
  const client = useQueryClient();
  const teams = useTeams();
  const [skills, setSkills] = useState(u.skills.join(', '));
  const update = useMutation({
    mutationFn: (patch: UserPatch) => api.patch<UserDto>(`/users/${encodeURIComponent(u.id)}`, patch),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <tr className={u.disabled ? 'row-disabled' : undefined}>
      <th scope="row">
        {u.name}
        <div className="muted">{u.email}</div>
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </th>
      <td>
        <label className="field-inline">
          <span className="sr-only">Role of {u.name}</span>
          <select value={u.role} disabled={isSelf || update.isPending} onChange={(e) => update.mutate({ role: e.target.value as Role })}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </td>
      <td>
        {teams.data?.length ? (
          <fieldset className="checks">
            <legend className="sr-only">Teams of {u.name}</legend>
            {teams.data.map((t) => (
              <label key={t.id} className="field-inline">
                <input
                  type="checkbox"
                  checked={u.teamIds.includes(t.id)}
                  disabled={update.isPending}
                  onChange={(e) => update.mutate({ teamIds: e.target.checked ? [...u.teamIds, t.id] : u.teamIds.filter((id) => id !== t.id) })}
                />
                {t.name}
              </label>
            ))}
          </fieldset>
        ) : (
          <span className="muted">No teams yet</span>
        )}
      </td>
      <td>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ skills: parseSkills(skills) });
          }}
        >
          <label className="field-inline">
            <span className="sr-only">Skills of {u.name}</span>
            <input value={skills} size={16} onChange={(e) => setSkills(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small" disabled={update.isPending || skills === u.skills.join(', ')}>
            Save
          </button>
        </form>
      </td>
      <td>
        <label className="field-inline">
          <span className="sr-only">Capacity of {u.name}</span>
          <input type="number" min={0} max={1000} defaultValue={u.capacity} className="narrow" onBlur={(e) => Number(e.target.value) !== u.capacity && update.mutate({ capacity: Number(e.target.value) })} />
        </label>
      </td>
      <td>
        {u.disabled ? <Chip tone="bad">disabled</Chip> : <Chip tone={u.status === 'online' ? 'good' : 'neutral'}>{u.status}</Chip>}{' '}
        {isSelf ? null : (
          <button type="button" className="btn btn-small" disabled={update.isPending} onClick={() => update.mutate({ disabled: !u.disabled })}>
            {u.disabled ? `Enable ${u.name}` : `Disable ${u.name}`}
          </button>
        )}
      </td>
    </tr>
  );
};

const NewUser = () => {
  const client = useQueryClient();
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, password: '' });
  const create = useMutation({
    mutationFn: () => api.post<UserDto>('/users', { name: form.name, email: form.email, role: form.role, ...(form.password ? { password: form.password } : {}) }),
    onSuccess: async () => {
      setForm({ name: '', email: '', role: 'agent', password: '' });
      await client.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card inline-form new-item" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a user</h2>
      <label className="field">
        <span>Name</span>
        <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </label>
      <label className="field">
        <span>Email</span>
        <input type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </label>
      <label className="field">
        <span>Role</span>
        <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Initial password (10+ characters, optional)</span>
        <input type="password" autoComplete="new-password" minLength={10} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </label>
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        Add user
      </button>
      {create.error ? <ErrorNotice error={create.error} /> : null}
      {create.isSuccess ? <p role="status">User added.</p> : null}
    </form>
  );
};

export const UsersSettings = () => {
  const users = useUsers();
  const { user } = useSession();
  return (
    <section aria-label="Users and roles">
      <NewUser />
      {users.error ? <ErrorNotice error={users.error} onRetry={() => void users.refetch()} /> : null}
      <TableScroll label="Users">
        <table className="data-table">
          <caption className="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Teams</th>
              <th scope="col">Skills</th>
              <th scope="col">Capacity</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <UserRow key={u.id} u={u} isSelf={u.id === user.id} />
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
};
