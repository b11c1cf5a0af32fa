import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import type { ConversationDto, MessageDto, NoteDto } from '../../api/types.js';

export interface ConversationDetail {
  conversation: ConversationDto;
  /** The conversation's channel, so the composer can measure a reply as that platform does. */
  channel: { platform: string; name: string } | null;
  messages: MessageDto[];
  notes: NoteDto[];
}

/** One definition of "the conversation" so the view and the composer's pre-send check share the cache. */
export const conversationQuery = (id: string) =>
  queryOptions({ queryKey: ['conversation', id], queryFn: () => api.get<ConversationDetail>(`/conversations/${encodeURIComponent(id)}`) });

/** Outbound messages that are not in `seen` and were not sent by `userId`: someone else answered meanwhile. */
export const repliesSince = (messages: readonly MessageDto[], seen: ReadonlySet<string>, userId: string): MessageDto[] =>
  messages.filter((m) => m.direction === 'out' && !seen.has(m.id) && m.sentByUserId !== userId);
