import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { useCapabilities } from '../../api/capabilities.js';
import { ErrorNotice } from '../../ui/notice.js';

interface PrivateLink {
  url: string;
  expiresAt: string;
  suggestedReply: string;
}

/**
 * When a public reply would expose personal data, offer to move the conversation private: the server signs a
 * single-use link and suggests a short public reply carrying it, which replaces the draft for the agent to check.
 */
export const ContinuePrivately = ({ conversationId, onReply }: { conversationId: string; onReply(text: string): void }) => {
  const capabilities = useCapabilities();
  const create = useMutation({
    mutationFn: () => api.post<PrivateLink>(`/conversations/${encodeURIComponent(conversationId)}/private-link`),
    onSuccess: (link) => onReply(link.suggestedReply),
  });
  if (!capabilities.has('POST', '/api/v1/conversations/{id}/private-link')) return null;
  return (
    <>
      <button type="button" className="btn" disabled={create.isPending} onClick={() => create.mutate()}>
        Continue privately: put a private link in the reply
      </button>
      {create.data ? (
        <p role="status">
          The link works once and expires {new Date(create.data.expiresAt).toLocaleString()}. Your draft now holds the suggested public reply: check it and send.
        </p>
      ) : null}
      {create.error ? <ErrorNotice error={create.error} /> : null}
    </>
  );
};
