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

/*
 * Wire shapes of routes added alongside this slice (incidents, identity). Declared here rather than inferred from
 * src/shared/api.ts so the SPA compiles on its own against whatever the server deploys; they mirror those schemas.
 */
export interface IdentityDto {
  id: string;
  platform: string;
  platformId: string;
  handle: string | null;
  displayName: string | null;
  followers: number;
  verified: boolean;
}

export interface MergeSuggestionDto {
  id: string;
  customerId: string;
  otherCustomerId: string;
  score: number;
  reasons: string[];
  status: 'pending' | 'accepted' | 'rejected';
  mergeId: string | null;
  createdAt: string;
}

export interface IncidentDto {
  id: string;
  status: 'suspected' | 'confirmed' | 'resolved';
  terms: string[];
  window: { from: string; to: string };
  confidence: number;
  memberCount: number;
  channels: Record<string, number>;
  platforms: Record<string, number>;
  acknowledgement: string | null;
  resolution: string | null;
  suspectedAt: string;
  confirmedAt: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
}

export interface IncidentMemberDto {
  messageId: string;
  conversationId: string | null;
  channelId: string;
  customerId: string | null;
  authorHandle: string | null;
  text: string;
  createdAt: string;
}

export interface RuleDto {
  id: string;
  name: string;
  enabled: boolean;
  trigger: string;
  conditions: unknown;
  actions: Record<string, unknown>[];
  stopProcessing: boolean;
  /** Schedule rules: minutes between runs (the server's default is 60). */
  everyMinutes?: number;
  position: number;
  updatedAt: string;
}

export interface RuleDryRunDto {
  ruleId: string;
  trigger: string;
  examined: number;
  matched: number;
  results: { messageId: string; conversationId: string | null; text: string; createdAt: string; matched: boolean; actions: Record<string, unknown>[] }[];
}

export interface MacroDto {
  id: string;
  name: string;
  body: string;
  variants: Record<string, string>;
  updatedAt: string;
}

export interface SlaPolicyDto {
  id: string;
  name: string;
  position: number;
  appliesTo: { channels?: string[]; visibility?: 'public' | 'private' };
  businessHours: boolean;
  warnAtRatio: number;
  defaults: { firstResponseMinutes: number; nextResponseMinutes: number; resolutionMinutes: number };
  overrides: Record<string, unknown>[];
  calendar: { timeZone: string; hours: Record<string, { open: string; close: string }[]>; holidays: string[] };
  builtin: boolean;
  updatedAt: string;
}
