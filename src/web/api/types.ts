import type { z } from 'zod';
import type { channelSchema, customerSchema, noteSchema, teamSchema } from '../../shared/api.js';

export type { ConversationDto, MessageDto, UserDto } from '../../shared/api.js';
export type NoteDto = z.infer<typeof noteSchema>;
export type CustomerDto = z.infer<typeof customerSchema>;
export type ChannelDto = z.infer<typeof channelSchema>;
export type TeamDto = z.infer<typeof teamSchema>;
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The understand stage's record on a message, as far as the workspace shows it (the server sends it untyped). */
export interface MessageClassification {
  language?: string;
  sentiment?: { label: string; scores?: Record<string, number> };
  intent?: { label: string; score: number };
  urgency?: string;
  needsResponse?: boolean;
  spam?: boolean;
  abusive?: boolean;
  escalation?: string[];
  explanations?: { label: string; features: string[] }[];
  pii?: { type: string; start: number; end: number }[];
}
