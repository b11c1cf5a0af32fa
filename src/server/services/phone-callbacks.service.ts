import type { Actor } from '../../shared/permissions.js';
import { AppError } from '../platform/errors.js';
import type { ChannelsService } from './channels.service.js';
import type { ConversationsService } from './conversations.service.js';

/**
 * Parley cannot place calls, so answering a phone conversation is a task for a person: a callback note naming the
 * number (and the time, when one is agreed; the conversation then sleeps until it). The phone adapter refuses sends.
 */
export const createPhoneCallbacksService = (deps: { conversations: Pick<ConversationsService, 'get' | 'addNote' | 'snooze'>; channels: Pick<ChannelsService, 'get'> }) => ({
  async schedule(conversationId: string, input: { note?: string | undefined; at?: number | undefined }, actor: Actor) {
    const { conversation } = await deps.conversations.get(conversationId);
    const channel = await deps.channels.get(conversation.channelId);
    if (channel.platform !== 'phone') throw new AppError('validation_failed', `conversation ${conversationId} is on ${channel.platform}, not a phone line: reply to it instead`, 'id');
    const number = conversation.threadKey.startsWith('caller:') ? conversation.threadKey.slice('caller:'.length) : null;
    if (!number) throw new AppError('conflict', 'the caller withheld their number, so there is nobody to call back');
    const when = input.at === undefined ? null : new Date(input.at).toISOString();
    const body = `Callback: call ${number}${when ? ` at ${when}` : ''}${input.note?.trim() ? `. ${input.note.trim()}` : ''}`;
    const note = await deps.conversations.addNote(conversationId, body, actor);
    if (input.at !== undefined) await deps.conversations.snooze(conversationId, input.at, actor);
    return { noteId: note.id, number, at: when, body };
  },
});

export type PhoneCallbacksService = ReturnType<typeof createPhoneCallbacksService>;
