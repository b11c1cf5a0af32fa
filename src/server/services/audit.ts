import type { Actor } from '../../shared/permissions.js';
import { newId } from '../platform/ids.js';
import type { Repositories } from '../repositories/index.js';

/** Records what an actor did, inside the caller's transaction. */
export const recordAudit = (tx: Repositories, actor: Actor, at: number, action: string, target: { type: string; id: string | null }, data: Record<string, unknown> = {}) =>
  tx.audit.append({ id: newId(), at, actorId: actor.userId, actorRole: actor.role, action, targetType: target.type, targetId: target.id, data: { ...data, requestId: actor.requestId } });
