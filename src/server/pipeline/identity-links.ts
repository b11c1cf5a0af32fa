import { compareIdentities, normaliseEmail, normalisePhone } from '../correlate/identity/index.js';
import { newId } from '../platform/ids.js';
import type { Identity } from '../repositories/customers.repository.js';
import type { LinkCandidate, MovedRecords } from '../repositories/identity-links.repository.js';
import type { Repositories } from '../repositories/index.js';

export interface MergeActor {
  userId: string;
  role: string;
  requestId: string;
}

/**
 * Folds customer `sourceId` into `targetId`, keeps a record of what moved (for undo) and audits it.
 * Both the automatic link on strong evidence and an agent's merge go through here.
 */
export const mergeCustomersRecorded = async (
  repos: Repositories,
  input: { sourceId: string; targetId: string; reason: string; evidence?: string[]; actor: MergeActor; now: number },
): Promise<{ mergeId: string; moved: MovedRecords }> => {
  const { sourceId, targetId, actor, now } = input;
  const moved = await repos.identityLinks.mergeCustomers(sourceId, targetId, now);
  const mergeId = newId();
  await repos.identityLinks.recordMerge({ id: mergeId, kind: 'customer', targetId, sourceId, moved, reason: input.reason, actorId: actor.userId, now });
  await repos.audit.append({
    id: newId(), at: now, actorId: actor.userId, actorRole: actor.role, action: 'customer.merge', targetType: 'customer', targetId,
    data: { mergeId, sourceId, reason: input.reason, evidence: input.evidence ?? [], identities: moved.identityIds?.length ?? 0, conversations: moved.conversationIds?.length ?? 0, requestId: actor.requestId },
  });
  return { mergeId, moved };
};

/**
 * Phone and form identities are keyed by a number or address nobody vouched for (an unattested caller id, an
 * address typed into a form): customers already holding it are suggested for an agent to confirm, never merged.
 */
const suggestOnTypedContact = async (repos: Repositories, identity: Identity, now: number): Promise<void> => {
  const phone = identity.platform === 'phone' ? normalisePhone(identity.platformId) : null;
  const email = identity.platform === 'form' && identity.platformId.includes('@') ? normaliseEmail(identity.platformId) : null;
  if (!phone && !email) return;
  for (const other of await repos.identityLinks.findByContact({ email, phone }, identity.customerId)) {
    await repos.identityLinks.suggest({ id: newId(), customerId: identity.customerId, otherCustomerId: other.customerId, score: 0.7, reasons: [phone ? 'same_unverified_phone' : 'same_unverified_email'], now });
  }
};

/** Identities of other customers looked at per display name. */
const DISPLAY_NAME_MATCHES = 20;

const linker: MergeActor = { userId: 'system', role: 'admin', requestId: 'correlate' };

export interface AuthorContact {
  identity: Identity;
  /** True when the identity was first seen in this batch (only then is weak evidence looked for). */
  isNew: boolean;
  email: string | null;
  phone: string | null;
}

/**
 * The identity graph's automatic side. An address or number the platform delivered with the author
 * (an e-mail sender, a WhatsApp number) is taken as verified: another customer holding the same one
 * is the same person and is merged now. A new identity whose display name and handle match one on
 * another platform only produces a suggestion for an agent.
 */
/** Returns whether it merged customers (which moves their messages to the surviving customer). */
export const linkIdentities = async (repos: Repositories, authors: readonly AuthorContact[], now: number): Promise<boolean> => {
  // Other identities with the new identities' display names, read in one query for the batch. A merge below changes
  // which customers exist, so after one the rest of the batch asks again, one identity at a time.
  const names = authors.filter((a) => a.isNew && a.identity.displayName).map((a) => a.identity.displayName!);
  const byName = names.length > 0 ? await repos.identityLinks.findByDisplayNames(names, DISPLAY_NAME_MATCHES * 2) : new Map<string, LinkCandidate[]>();
  let merged = false;
  const sameName = async (identity: Identity): Promise<LinkCandidate[]> =>
    merged
      ? repos.identityLinks.findByDisplayName(identity.displayName!, identity.customerId)
      : (byName.get(identity.displayName!) ?? []).filter((c) => c.customerId !== identity.customerId).slice(0, DISPLAY_NAME_MATCHES);
  for (const author of authors) {
    const { identity } = author;
    const email = author.email ? normaliseEmail(author.email) : null;
    const phone = author.phone ? normalisePhone(author.phone) : null;
    const changed = { ...(email && email !== identity.email ? { email } : {}), ...(phone && phone !== identity.phone ? { phone } : {}) };
    if (changed.email || changed.phone) await repos.identityLinks.setContact(identity.id, changed, now);
    if ((email || phone) && (author.isNew || changed.email || changed.phone)) {
      for (const other of await repos.identityLinks.findByContact({ email, phone }, identity.customerId)) {
        const evidence = compareIdentities(
          { platform: identity.platform, platformId: identity.platformId, ...(email ? { email, emailVerified: true } : {}), ...(phone ? { phone, phoneVerified: true } : {}) },
          { platform: other.platform, platformId: other.platformId, ...(other.email ? { email: other.email, emailVerified: true } : {}), ...(other.phone ? { phone: other.phone, phoneVerified: true } : {}) },
        );
        if (evidence.strength !== 'strong' || other.customerId === identity.customerId) continue;
        if (await repos.identityLinks.isMerged(identity.customerId)) break;
        // The older customer survives, so links and notes people already made keep pointing at it.
        await mergeCustomersRecorded(repos, { sourceId: identity.customerId, targetId: other.customerId, reason: 'strong_evidence', evidence: evidence.reasons, actor: linker, now });
        identity.customerId = other.customerId;
        merged = true;
      }
    }
    if (author.isNew && !email && !phone) await suggestOnTypedContact(repos, identity, now);
    if (!author.isNew || !identity.displayName) continue;
    for (const other of await sameName(identity)) {
      if (other.platform === identity.platform) continue;
      const evidence = compareIdentities(
        { platform: identity.platform, platformId: identity.platformId, ...(identity.handle ? { handle: identity.handle } : {}) },
        { platform: other.platform, platformId: other.platformId, ...(other.handle ? { handle: other.handle } : {}) },
      );
      if (!evidence.reasons.includes('similar_handles')) continue;
      await repos.identityLinks.suggest({ id: newId(), customerId: identity.customerId, otherCustomerId: other.customerId, score: 0.6, reasons: ['same_display_name', ...evidence.reasons], now });
    }
  }
  return merged;
};
