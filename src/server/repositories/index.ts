import type { Executor } from './executor.js';
import { createAttachmentsRepository } from './attachments.repository.js';
import { createAuditRepository } from './audit.repository.js';
import { createAuthRepository } from './auth.repository.js';
import { createChannelsRepository } from './channels.repository.js';
import { createConversationsRepository } from './conversations.repository.js';
import { createConversationOperationsRepository } from './conversations-operations.repository.js';
import { createCorrectionsRepository } from './corrections.repository.js';
import { createCustomersRepository } from './customers.repository.js';
import { createCustomerRecordsRepository } from './customer-records.repository.js';
import { createIdentityLinksRepository } from './identity-links.repository.js';
import { createIncidentsRepository } from './incidents.repository.js';
import { createJobsRepository } from './jobs.repository.js';
import { createMessagesRepository } from './messages.repository.js';
import { createNotesRepository } from './notes.repository.js';
import { createOutboxRepository } from './outbox.repository.js';
import { createSettingsRepository } from './settings.repository.js';
import { createSlaRepository } from './sla.repository.js';
import { createRulesRepository } from './rules.repository.js';
import { createMacrosRepository } from './macros.repository.js';
import { createTeamsRepository } from './teams.repository.js';
import { createUsersRepository } from './users.repository.js';
import { createPrivateLinksRepository } from './private-links.repository.js';
import { createListeningRepository } from './listening.repository.js';
import { createOfficialRepliesRepository } from './official-replies.repository.js';
import { createImpostorAlertsRepository } from './impostor-alerts.repository.js';
import { createRetentionRepository } from './retention.repository.js';

/** Every repository bound to one executor: the database, or a transaction for a unit of work. */
export const createRepositories = (db: Executor, options: { skipLocked: boolean; asyncCommit?: boolean }) => ({
  attachments: createAttachmentsRepository(db),
  audit: createAuditRepository(db, options),
  auth: createAuthRepository(db),
  channels: createChannelsRepository(db),
  conversations: createConversationsRepository(db, options),
  conversationOperations: createConversationOperationsRepository(db),
  corrections: createCorrectionsRepository(db),
  customers: createCustomersRepository(db),
  customerRecords: createCustomerRecordsRepository(db),
  identityLinks: createIdentityLinksRepository(db),
  incidents: createIncidentsRepository(db, options),
  jobs: createJobsRepository(db, options),
  messages: createMessagesRepository(db),
  notes: createNotesRepository(db),
  outbox: createOutboxRepository(db, options),
  settings: createSettingsRepository(db),
  sla: createSlaRepository(db),
  rules: createRulesRepository(db),
  macros: createMacrosRepository(db),
  teams: createTeamsRepository(db),
  users: createUsersRepository(db),
  privateLinks: createPrivateLinksRepository(db),
  listening: createListeningRepository(db),
  officialReplies: createOfficialRepliesRepository(db),
  impostorAlerts: createImpostorAlertsRepository(db),
  retention: createRetentionRepository(db),
});

export type Repositories = ReturnType<typeof createRepositories>;

/** Runs `work` in one transaction with repositories bound to it; services see only this function. */
export type UnitOfWork = <T>(work: (repos: Repositories) => Promise<T>) => Promise<T>;
