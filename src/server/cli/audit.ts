import type { Command } from 'commander';
import { systemActor } from '../../shared/permissions.js';
import { createAuditLogService } from '../services/audit-log.service.js';
import { CliError, withApp, writeLine } from './context.js';

export const registerAuditCommand = (program: Command): void => {
  const audit = program.command('audit').description('check and export the hash-chained audit log');
  audit
    .command('verify')
    .description('recompute the chain from genesis; exit 1 at the first changed entry or gap')
    .action(async () => {
      await withApp(async (app) => {
        const verdict = await createAuditLogService({ repos: app.repos, uow: app.uow, clock: app.clock }).verify();
        if (!verdict.ok) throw new CliError(`audit log broken at seq ${verdict.brokenAt} (${verdict.problem}): ${verdict.detail}; ${verdict.count} entries before it verify`);
        process.stdout.write(`audit log intact: ${verdict.count} entries\n`);
      });
    });
  audit
    .command('export')
    .description('every entry as JSON lines on stdout, oldest first (the export itself is audited)')
    .action(async () => {
      await withApp(async (app) => {
        const service = createAuditLogService({ repos: app.repos, uow: app.uow, clock: app.clock });
        for await (const e of service.export(systemActor('cli'))) {
          await writeLine(process.stdout, { seq: e.seq, id: e.id, at: new Date(e.at).toISOString(), actorId: e.actorId, actorRole: e.actorRole, action: e.action, targetType: e.targetType, targetId: e.targetId, data: e.data, prevHash: e.prevHash, hash: e.hash });
        }
      });
    });
};
