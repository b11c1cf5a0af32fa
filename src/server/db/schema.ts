import type { Generated } from 'kysely';

/** Table types. Times are epoch milliseconds (bigint in PostgreSQL, parsed to number); flags are 0/1; JSON is text. */
export interface BrandsTable {
  id: string;
  name: string;
  slug: string;
  official_handles: string;
  created_at: number;
}

export interface TeamsTable {
  id: string;
  name: string;
  kind: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  status: string;
  capacity: number;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  last_seen_at: number | null;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

export interface SkillsTable {
  id: string;
  name: string;
  kind: string;
}

export interface UserSkillsTable {
  user_id: string;
  skill_id: string;
  level: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

/** Deliveries to a paused channel, held until it resumes (migration 0014). */
export interface ChannelHeldEventsTable {
  id: string;
  channel_id: string;
  envelopes: string;
  deletions: string;
  received_at: number;
}

export interface ChannelsTable {
  id: string;
  brand_id: string | null;
  platform: string;
  name: string;
  status: string;
  config: string;
  credentials: string | null;
  own_account_ids: string;
  cursor: string | null;
  last_event_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CustomersTable {
  id: string;
  display_name: string | null;
  handle: string | null;
  followers: number;
  verified: number;
  tier: string;
  fields: string;
  created_at: number;
  updated_at: number;
  merged_into: string | null;
}

export interface IdentitiesTable {
  id: string;
  platform: string;
  platform_id: string;
  handle: string | null;
  display_name: string | null;
  followers: number;
  verified: number;
  email: string | null;
  phone: string | null;
  customer_id: string;
  created_at: number;
  updated_at: number;
}

export interface ConversationsTable {
  id: string;
  channel_id: string;
  brand_id: string | null;
  customer_id: string | null;
  thread_key: string;
  status: Generated<string>;
  visibility: string;
  subject: string | null;
  priority: Generated<number>;
  priority_band: Generated<string>;
  priority_parts: Generated<string>;
  sentiment: string | null;
  intent: string | null;
  language: string | null;
  assignee_id: string | null;
  team_id: string | null;
  queue: Generated<string>;
  message_count: Generated<number>;
  unread_count: Generated<number>;
  last_message_id: string | null;
  last_message_at: number;
  last_message_preview: Generated<string>;
  last_message_direction: Generated<string>;
  last_inbound_at: number | null;
  first_response_at: number | null;
  sla_due_at: number | null;
  incident_id: string | null;
  tags: Generated<string>;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  snoozed_until: number | null;
  merged_into_id: string | null;
  answer_owed_since: number | null;
}

export interface MessagesTable {
  id: string;
  channel_id: string;
  external_id: string;
  conversation_id: string | null;
  customer_id: string | null;
  identity_id: string | null;
  incident_id: string | null;
  direction: string;
  kind: string;
  visibility: string;
  author_platform_id: string;
  author_handle: string | null;
  author_display_name: string | null;
  author_followers: Generated<number>;
  author_verified: Generated<number>;
  author_email: string | null;
  /** E.164; set only when the platform vouches for the number (migration 0013). */
  author_phone: string | null;
  text: string;
  html: string | null;
  subject: string | null;
  attachments: Generated<string>;
  in_reply_to: string | null;
  thread_key: string | null;
  url: string | null;
  listening: Generated<number>;
  created_at: number;
  received_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  raw: string | null;
  stage: string;
  language: string | null;
  sentiment: string | null;
  sentiment_score: number | null;
  intent: string | null;
  intent_score: number | null;
  urgency: string | null;
  needs_response: number | null;
  spam: number | null;
  classifications: string | null;
  model_version: string | null;
  sent_by_user_id: string | null;
  decided_at: number | null;
}

export interface NotesTable {
  id: string;
  conversation_id: string;
  author_id: string;
  body: string;
  mentions: string;
  created_at: number;
}

export interface JobsTable {
  id: string;
  type: string;
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface OutboxTable {
  id: string;
  idempotency_key: string;
  channel_id: string;
  conversation_id: string | null;
  message_id: string | null;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  last_error: string | null;
  platform_message_id: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface AuditLogTable {
  seq: number;
  id: string;
  at: number;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface LoginAttemptsTable {
  key: string;
  window_start: number;
  failures: number;
}

export interface DB {
  brands: BrandsTable;
  teams: TeamsTable;
  users: UsersTable;
  team_members: TeamMembersTable;
  skills: SkillsTable;
  user_skills: UserSkillsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  channels: ChannelsTable;
  channel_held_events: ChannelHeldEventsTable;
  customers: CustomersTable;
  identities: IdentitiesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  notes: NotesTable;
  jobs: JobsTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  settings: SettingsTable;
  login_attempts: LoginAttemptsTable;
}

