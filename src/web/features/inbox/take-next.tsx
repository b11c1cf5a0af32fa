import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import type { ConversationDto } from '../../api/types.js';
import { navigate } from '../../routes/router.js';
import { isTyping } from '../../ui/keys.js';
import { ErrorNotice } from '../../ui/notice.js';
import { useSession } from '../auth/session.js';

const takers = new Set(['admin', 'supervisor', 'agent']);

/**
 * "Take next": the server picks the conversation this agent should answer now (the work order: score while posts
 * have slack, the nearest deadline once one is at risk) and claims it; the workspace opens it. `n` does the same.
 */
export const TakeNext = ({ search }: { search: string }) => {
  const { user } = useSession();
  const client = useQueryClient();
  const [nothing, setNothing] = useState(false);
  const take = useMutation({
    mutationFn: () => api.post<ConversationDto | undefined>('/conversations/next'),
    onSuccess: async (next) => {
      setNothing(!next);
      await client.invalidateQueries({ queryKey: ['conversations'] });
      if (next) navigate(`/c/${encodeURIComponent(next.id)}${search}`);
    },
  });
  const allowed = takers.has(user.role);
  useEffect(() => {
    if (!allowed) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'n' || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target) || document.querySelector('dialog[open]')) return;
      event.preventDefault();
      if (!take.isPending) take.mutate();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });
  if (!allowed) return null;
  return (
    <div className="take-next">
      <button type="button" className="btn btn-primary" onClick={() => take.mutate()} disabled={take.isPending} aria-keyshortcuts="n">
        {take.isPending ? 'Finding…' : 'Take next'}
      </button>
      {nothing ? (
        <span className="muted" role="status">
          Nothing is waiting for you or your teams.
        </span>
      ) : null}
      {take.error ? <ErrorNotice error={take.error} /> : null}
    </div>
  );
};
