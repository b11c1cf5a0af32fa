import { useMutation, useQuery } from '@tanstack/react-query';
import { can } from '../../../shared/permissions.js';
import { api } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import type { MacroDto } from '../../api/types.js';
import { ErrorNotice } from '../../ui/notice.js';
import { useSession } from '../auth/session.js';

interface Rendered {
  ok: boolean;
  text: string | null;
  length?: number;
  max?: number | null;
  errors: { message?: string; variable?: string; code?: string }[];
}

/** Renders a macro on the server for this conversation (its customer's variables, its channel's variant and limit) and inserts it. */
export const useMacroInsert = (conversationId: string, onInsert: (text: string) => void) => {
  const render = useMutation({
    mutationFn: (id: string) => api.post<Rendered>(`/macros/${encodeURIComponent(id)}/render`, { conversationId }),
    onSuccess: (result) => {
      if (result.ok && result.text !== null) onInsert(result.text);
    },
  });
  const problems = render.data && !render.data.ok ? render.data.errors.map((e) => e.message ?? e.variable ?? e.code ?? 'unknown problem') : [];
  const feedback = (
    <>
      {problems.length ? (
        <p className="notice notice-warn" role="alert">
          This macro cannot be used here: {problems.join('; ')}.
        </p>
      ) : null}
      {render.error ? <ErrorNotice error={render.error} /> : null}
    </>
  );
  return { insert: (id: string) => render.mutate(id), pending: render.isPending, feedback };
};

/** Inserts a macro rendered by the server for this conversation's customer and channel (its variables and length limit). */
export const MacroPicker = ({ conversationId, onInsert }: { conversationId: string; onInsert(text: string): void }) => {
  const { user } = useSession();
  const capabilities = useCapabilities();
  const enabled = can(user.role, 'macros:use') && capabilities.has('POST', '/api/v1/macros/{id}/render');
  const macros = useQuery({ queryKey: ['macros'], queryFn: () => api.get<{ items: MacroDto[] }>('/macros').then((r) => r.items), enabled, staleTime: 60_000 });
  const macro = useMacroInsert(conversationId, onInsert);
  if (!enabled || !macros.data?.length) return null;
  return (
    <div className="macro-picker">
      <label className="field field-inline">
        <span>Insert a macro</span>
        <select
          value=""
          disabled={macro.pending}
          onChange={(e) => {
            if (e.target.value) macro.insert(e.target.value);
          }}
        >
          <option value="">Choose…</option>
          {macros.data.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      {macro.feedback}
    </div>
  );
};
