import type { Command } from 'commander';
import { systemActor } from '../../shared/permissions.js';
import { recordAudit } from '../services/audit.js';
import { withApp, writeLine } from './context.js';

const pageSize = 1000;

const parseClassifications = (value: string | null): unknown => {
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
};

export const registerExportCommand = (program: Command): void => {
  const exp = program.command('export').description('export data as JSON lines on stdout');
  exp
    .command('messages')
    .description('every message with its channel, conversation, customer, incident and classifications (the export is audited)')
    .action(async () => {
      await withApp(async (app) => {
        // Recorded before the first line is written, so an export cut short is on record too.
        await app.uow((tx) => recordAudit(tx, systemActor('cli'), app.clock.now(), 'messages.export', { type: 'messages', id: null }, { format: 'jsonl' }));
        let after: string | null = null;
        for (;;) {
          const page = await app.repos.messages.exportPage(after, pageSize);
          for (const m of page) {
            await writeLine(process.stdout, {
              id: m.id,
              channel: m.channel_id,
              externalId: m.external_id,
              conversationId: m.conversation_id,
              customerId: m.customer_id,
              incidentId: m.incident_id,
              direction: m.direction,
              kind: m.kind,
              createdAt: new Date(Number(m.created_at)).toISOString(),
              stage: m.stage,
              language: m.language,
              sentiment: m.sentiment,
              intent: m.intent,
              urgency: m.urgency,
              needsResponse: m.needs_response === null ? null : Boolean(m.needs_response),
              spam: m.spam === null ? null : Boolean(m.spam),
              classifications: parseClassifications(m.classifications),
            });
          }
          const last = page.at(-1);
          if (!last || page.length < pageSize) return;
          after = last.id;
        }
      });
    });
};
