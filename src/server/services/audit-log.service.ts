import type { Actor } from '../../shared/permissions.js';
import type { Clock } from '../platform/clock.js';
import { auditHash, type StoredAuditEntry } from '../repositories/audit.repository.js';
import type { Repositories, UnitOfWork } from '../repositories/index.js';
import { recordAudit } from './audit.js';

export type AuditVerdict =
  | { ok: true; count: number; headSeq: number }
  | { ok: false; count: number; brokenAt: number; problem: 'hash_mismatch' | 'prev_hash_mismatch' | 'gap' | 'head_mismatch'; detail: string };

const pageSize = 1000;

/** Reading, checking and exporting the hash-chained audit log. */
export const createAuditLogService = (deps: { repos: Repositories; uow: UnitOfWork; clock: Clock }) => {
  const { repos, uow, clock } = deps;

  /** Walks every page from genesis, oldest first. */
  const walk = async function* (): AsyncGenerator<StoredAuditEntry> {
    let after = 0;
    for (;;) {
      const page = await repos.audit.page(after, pageSize);
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      after = last.seq;
    }
  };

  return {
    /** Recomputes the chain from genesis: any edited field, inserted, deleted or reordered row breaks it. */
    async verify(): Promise<AuditVerdict> {
      let prevHash = repos.audit.genesis;
      let expectedSeq = 1;
      let count = 0;
      for await (const e of walk()) {
        if (e.seq !== expectedSeq) return { ok: false, count, brokenAt: expectedSeq, problem: 'gap', detail: `expected seq ${expectedSeq}, found ${e.seq}` };
        if (e.prevHash !== prevHash) return { ok: false, count, brokenAt: e.seq, problem: 'prev_hash_mismatch', detail: `seq ${e.seq} does not point at the hash of seq ${e.seq - 1}` };
        const recomputed = auditHash(prevHash, e.seq, e);
        if (recomputed !== e.hash) return { ok: false, count, brokenAt: e.seq, problem: 'hash_mismatch', detail: `seq ${e.seq} was changed after it was written` };
        prevHash = e.hash;
        expectedSeq += 1;
        count += 1;
      }
      // Deleting the newest rows leaves a valid prefix; the head remembers how far the chain reached.
      const head = await repos.audit.head();
      if (head.seq !== count || head.hash !== prevHash) return { ok: false, count, brokenAt: count + 1, problem: 'head_mismatch', detail: `the head records seq ${head.seq} but the log ends at seq ${count}` };
      return { ok: true, count, headSeq: head.seq };
    },

    /** Newest first with a keyset cursor (the seq of the last item seen). */
    async list(query: { beforeSeq?: number; limit: number; action?: string }): Promise<{ items: StoredAuditEntry[]; nextBefore: number | null }> {
      const head = await repos.audit.head();
      const items: StoredAuditEntry[] = [];
      let before = query.beforeSeq ?? head.seq + 1;
      // The repository pages forward; read windows backwards from the cursor until the page is full.
      while (items.length < query.limit && before > 1) {
        const from = Math.max(0, before - 1 - Math.max(query.limit, 200));
        const window = (await repos.audit.page(from, before - 1 - from)).filter((e) => e.seq < before).reverse();
        for (const e of window) if (!query.action || e.action === query.action) items.push(e);
        before = from + 1;
      }
      const page = items.slice(0, query.limit);
      const last = page.at(-1);
      return { items: page, nextBefore: last && page.length === query.limit && last.seq > 1 ? last.seq : null };
    },

    /** Streams every entry as it is stored; the export itself is recorded first, so it appears in what it exports. */
    async *export(actor: Actor): AsyncGenerator<StoredAuditEntry> {
      await uow((tx) => recordAudit(tx, actor, clock.now(), 'audit.export', { type: 'audit_log', id: null }));
      yield* walk();
    },
  };
};

export type AuditLogService = ReturnType<typeof createAuditLogService>;
