import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, setCsrfToken } from '../../api/client.js';
import { ErrorNotice } from '../../ui/notice.js';
import { sessionKey, useSession } from './session.js';

const statuses = ['online', 'away', 'offline'] as const;

/** The signed-in user's corner: availability for routing, change password, sign out. */
export const AccountMenu = () => {
  const { user, refresh } = useSession();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const signOut = async () => {
    try {
      await api.post('/auth/logout');
    } finally {
      setCsrfToken(null);
      // Null session first (shows the sign-in form), then drop every cached answer of the old session.
      client.setQueryData(sessionKey, null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
    }
  };

  const setStatus = async (status: string) => {
    setError(null);
    try {
      await api.put('/me/status', { status });
      await refresh();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="account">
      <label className="field field-inline">
        <span className="sr-only">Your availability</span>
        <select value={user.status} onChange={(e) => void setStatus(e.target.value)}>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s === 'online' ? '● Online' : s === 'away' ? '◐ Away' : '○ Offline'}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-ghost" aria-expanded={open} aria-controls="account-panel" onClick={() => setOpen(!open)}>
        {user.name}
      </button>
      <button type="button" className="btn" onClick={() => void signOut()}>
        Sign out
      </button>
      {error ? <ErrorNotice error={error} /> : null}
      {open ? (
        <div id="account-panel" className="card account-panel">
          <p>
            {user.email} · {user.role}
          </p>
          <ChangePassword onDone={() => void signOut()} />
        </div>
      ) : null}
    </div>
  );
};

const ChangePassword = ({ onDone }: { onDone(): void }) => {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.post('/auth/password', { currentPassword, newPassword });
      onDone();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <form onSubmit={submit} aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <label className="field">
        <span>Current password</span>
        <input type="password" autoComplete="current-password" required value={currentPassword} onChange={(e) => setCurrent(e.target.value)} />
      </label>
      <label className="field">
        <span>New password (at least 10 characters)</span>
        <input type="password" autoComplete="new-password" required minLength={10} value={newPassword} onChange={(e) => setNew(e.target.value)} />
      </label>
      {error ? <ErrorNotice error={error} /> : null}
      <button type="submit" className="btn btn-primary">
        Change password and sign out everywhere
      </button>
    </form>
  );
};
