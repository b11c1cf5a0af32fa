import type { Kysely } from 'kysely';

/** The whole flow's tables, written once for both dialects (types SQLite and PostgreSQL both accept). */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const s = db.schema;
  await s.createTable('brands').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('official_handles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('teams').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('service'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('users').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('offline'))
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addColumn('last_seen_at', 'bigint')
    .execute();

  await s.createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await s.createIndex('team_members_user').on('team_members').column('user_id').execute();

  await s.createTable('skills').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .execute();

  await s.createTable('user_skills')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('skill_id', 'text', (c) => c.notNull().references('skills.id').onDelete('cascade'))
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('user_skills_pk', ['user_id', 'skill_id'])
    .execute();

  await s.createTable('sessions').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('api_tokens').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await s.createTable('channels').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('brand_id', 'text', (c) => c.references('brands.id'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('credentials', 'text')
    .addColumn('own_account_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cursor', 'text')
    .addColumn('last_event_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('customers').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text')
    .addColumn('handle', 'text')
    .addColumn('followers', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tier', 'text', (c) => c.notNull().defaultTo('standard'))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('merged_into', 'text')
    .execute();

  await s.createTable('identities').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('platform_id', 'text', (c) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('display_name', 'text')
    .addColumn('followers', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('identities_platform_uid', ['platform', 'platform_id'])
    .execute();
  await s.createIndex('identities_customer').on('identities').column('customer_id').execute();

  await s.createTable('conversations').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
    .addColumn('brand_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('thread_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('priority_band', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('priority_parts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('sentiment', 'text')
    .addColumn('intent', 'text')
    .addColumn('language', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('queue', 'text', (c) => c.notNull().defaultTo('service'))
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_id', 'text')
    .addColumn('last_message_at', 'bigint', (c) => c.notNull())
    .addColumn('last_message_preview', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_message_direction', 'text', (c) => c.notNull().defaultTo('in'))
    .addColumn('last_inbound_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('sla_due_at', 'bigint')
    .addColumn('incident_id', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .execute();
  // The list is always newest-activity first; each common filter gets an index that serves that order.
  for (const column of ['status', 'assignee_id', 'team_id', 'channel_id', 'priority_band', 'sentiment', 'customer_id']) {
    await s.createIndex(`conversations_${column}_recent`).on('conversations').columns([column, 'last_message_at', 'id']).execute();
  }
  await s.createIndex('conversations_recent').on('conversations').columns(['last_message_at', 'id']).execute();
  await s.createIndex('conversations_thread').on('conversations').columns(['channel_id', 'thread_key']).execute();

  await s.createTable('messages').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('identity_id', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('author_platform_id', 'text', (c) => c.notNull())
    .addColumn('author_handle', 'text')
    .addColumn('author_display_name', 'text')
    .addColumn('author_followers', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('author_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('author_email', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text')
    .addColumn('subject', 'text')
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('in_reply_to', 'text')
    .addColumn('thread_key', 'text')
    .addColumn('url', 'text')
    .addColumn('listening', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .addColumn('raw', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('sentiment', 'text')
    .addColumn('sentiment_score', 'double precision')
    .addColumn('intent', 'text')
    .addColumn('intent_score', 'double precision')
    .addColumn('urgency', 'text')
    .addColumn('needs_response', 'integer')
    .addColumn('spam', 'integer')
    .addColumn('classifications', 'text')
    .addColumn('model_version', 'text')
    .addColumn('sent_by_user_id', 'text')
    .addColumn('decided_at', 'bigint')
    .addUniqueConstraint('messages_channel_external', ['channel_id', 'external_id'])
    .execute();
  await s.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();
  await s.createIndex('messages_in_reply_to').on('messages').columns(['channel_id', 'in_reply_to']).execute();

  await s.createTable('notes').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mentions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('notes_conversation').on('notes').columns(['conversation_id', 'created_at']).execute();

  await s.createTable('jobs').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('jobs_ready').on('jobs').columns(['status', 'run_at']).execute();

  await s.createTable('outbox').addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('platform_message_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await s.createIndex('outbox_ready').on('outbox').columns(['status', 'next_attempt_at']).execute();

  await s.createTable('audit_log').addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await s.createTable('audit_head').addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await s.createTable('settings').addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s.createTable('login_attempts').addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['login_attempts', 'settings', 'audit_head', 'audit_log', 'outbox', 'jobs', 'notes', 'messages', 'conversations', 'identities', 'customers', 'channels', 'api_tokens', 'sessions', 'user_skills', 'skills', 'team_members', 'users', 'teams', 'brands']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
};
