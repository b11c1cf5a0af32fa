import type { JobHandler, JobHandOvers } from '../jobs/definitions.js';
import { mergeMessageIds } from '../jobs/definitions.js';
import { newId } from '../platform/ids.js';
import { foldActivities, type OpeningConversation } from '../repositories/conversations.repository.js';
import type { Identity, IdentityFacts } from '../repositories/customers.repository.js';
import { withClassification, type MessageClassification, type MessageCorrelation, type PipelineMessage } from '../repositories/messages.repository.js';
import { linkIdentities, type AuthorContact } from './identity-links.js';
import { createIncidentTracker, isComplaint, type IncidentTracker, type IncidentTrackerOptions } from './incidents.js';
import { pushTo } from '../../shared/collections.js';
import { previewOf } from '../../shared/preview.js';

export interface CorrelateOptions {
  /** A customer's message this long after resolution reopens the conversation; later ones start a new one. */
  reopenWindowMs: number;
  /** Incident detection over inbound complaints; off when absent. */
  incidents?: IncidentTrackerOptions;
}

/** Which thread a message belongs to when it does not reply to a message we hold. */
const threadKeyOf = (m: PipelineMessage): string => {
  if (m.threadKey) return m.threadKey;
  if (m.kind === 'dm' || m.kind === 'chat') return `${m.kind}:${m.authorPlatformId}`;
  return m.inReplyTo ?? m.externalId;
};

/** Threads messages into conversations and authors into customers, in arrival order, idempotently. */
export const createCorrelateStage = (options: CorrelateOptions): JobHandler<'pipeline.correlate'> => {
  // Built on first use: restoring the detector reads the store, which is not open while the app is composed.
  let tracker: IncidentTracker | null = null;
  const trackerOf = (o: IncidentTrackerOptions): IncidentTracker => (tracker ??= createIncidentTracker(o));
  return {
    type: 'pipeline.correlate',
    // Idempotent (each message's stage marker); what it does leaves the store only through later jobs (see JobHandler.redoable).
    redoable: true,
    merge: mergeMessageIds,
    async handle({ messageIds }, ctx) {
      const { repos, now } = ctx;
      // Before reading anything: another process's correlation of the same thread must have committed first.
      await repos.conversations.serialiseThreading();
      // Chained after understand, its results come handed over (the rows still say 'ingested') and are written below,
      // with the rows it read in this transaction; any others of the batch are read here.
      const fromUnderstand = ctx.takeOver?.('pipeline.correlate');
      const understood = fromUnderstand?.understood;
      const read = new Set(fromUnderstand?.messages.map((m) => m.id));
      const unread = fromUnderstand ? messageIds.filter((id) => !read.has(id)) : messageIds;
      const rows = unread.length > 0 ? await repos.messages.forPipeline(unread, { withClassifications: false }) : [];
      if (fromUnderstand) rows.push(...fromUnderstand.messages);
      const messages = rows
        .map((m) => {
          const c = m.stage === 'ingested' ? understood?.get(m.id) : undefined;
          return c ? withClassification(m, c) : m;
        })
        .filter((m) => m.stage === 'understood');
      if (messages.length === 0) return;
      messages.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      const channels = new Map((await repos.channels.getMany([...new Set(messages.map((m) => m.channelId))])).map((c) => [c.id, c]));

      // Identities: one lookup per platform for the whole batch.
      const identities = new Map<string, Identity>();
      const byPlatform = new Map<string, Set<string>>();
      for (const m of messages) {
        if (m.direction !== 'in') continue;
        const platform = channels.get(m.channelId)?.platform ?? 'unknown';
        byPlatform.set(platform, (byPlatform.get(platform) ?? new Set()).add(m.authorPlatformId));
      }
      for (const [platform, ids] of byPlatform) {
        for (const [pid, identity] of await repos.customers.findIdentities(platform, [...ids])) identities.set(`${platform}\u0000${pid}`, identity);
      }

      // Reply targets we already hold, plus those earlier in this batch.
      const parents = new Map<string, string>();
      const byChannel = new Map<string, string[]>();
      for (const m of messages) if (m.inReplyTo) pushTo(byChannel, m.channelId, m.inReplyTo);
      for (const [channelId, refs] of byChannel) {
        for (const [ext, conv] of await repos.messages.conversationsOfExternal(channelId, refs)) parents.set(`${channelId}\u0000${ext}`, conv);
      }
      // Threads by key, prefetched per channel for the messages that do not reply to a message we hold.
      const threads = new Map<string, { id: string; status: string; resolvedAt: number | null }>();
      const keysByChannel = new Map<string, string[]>();
      for (const m of messages) {
        if (m.inReplyTo && parents.has(`${m.channelId}\u0000${m.inReplyTo}`)) continue;
        pushTo(keysByChannel, m.channelId, threadKeyOf(m));
      }
      for (const [channelId, keys] of keysByChannel) {
        for (const [key, thread] of await repos.conversations.findByThreads(channelId, keys)) threads.set(`${channelId}\u0000${key}`, thread);
      }
      const newCustomers: { customerId: string; identityId: string; facts: Parameters<typeof repos.customers.createWithIdentity>[2] }[] = [];
      const newConversations: Parameters<typeof repos.conversations.create>[0][] = [];
      const activities: Parameters<typeof repos.conversations.recordActivity>[0][] = [];
      const correlations: MessageCorrelation[] = [];
      const authors = new Map<string, AuthorContact>();
      // Known authors whose platform facts changed, written together after the loop (before identity linking reads them).
      const refreshes: { identity: Identity; facts: IdentityFacts }[] = [];

      for (const m of messages) {
        const channel = channels.get(m.channelId);
        const platform = channel?.platform ?? 'unknown';
        let identity: Identity | null = null;
        if (m.direction === 'in') {
          const key = `${platform}\u0000${m.authorPlatformId}`;
          identity = identities.get(key) ?? null;
          const facts = { platform, platformId: m.authorPlatformId, handle: m.authorHandle, displayName: m.authorDisplayName, followers: m.authorFollowers, verified: m.authorVerified, email: m.authorEmail };
          if (!identity) {
            const created = { customerId: newId(), identityId: newId(), facts };
            newCustomers.push(created);
            identity = { id: created.identityId, platform, platformId: facts.platformId, handle: facts.handle, displayName: facts.displayName, followers: facts.followers, verified: facts.verified, email: facts.email, phone: null, customerId: created.customerId };
            identities.set(key, identity);
            authors.set(key, { identity, isNew: true, email: m.authorEmail, phone: m.authorPhone });
          } else {
            if ((m.authorEmail || m.authorPhone) && !authors.has(key)) authors.set(key, { identity, isNew: false, email: m.authorEmail, phone: m.authorPhone });
            refreshes.push({ identity, facts });
            identities.set(key, { ...identity, handle: facts.handle, displayName: facts.displayName, followers: facts.followers, verified: facts.verified });
          }
        }

        let conversationId = m.inReplyTo ? parents.get(`${m.channelId}\u0000${m.inReplyTo}`) ?? null : null;
        if (!conversationId) {
          const threadKey = threadKeyOf(m);
          const cacheKey = `${m.channelId}\u0000${threadKey}`;
          let thread = threads.get(cacheKey) ?? null;
          const closed = thread && (thread.status === 'resolved' || thread.status === 'closed');
          if (thread && closed && m.direction === 'in' && (thread.resolvedAt === null || m.createdAt - thread.resolvedAt > options.reopenWindowMs)) thread = null;
          if (!thread) {
            thread = { id: newId(), status: 'open', resolvedAt: null };
            newConversations.push({ id: thread.id, channelId: m.channelId, brandId: channel?.brandId ?? null, customerId: identity?.customerId ?? null, threadKey, visibility: m.visibility, subject: m.subject, createdAt: m.createdAt });
          } else if (closed && m.direction === 'in') {
            await repos.conversations.setStatus(thread.id, 'open', now);
            thread = { ...thread, status: 'open', resolvedAt: null };
          }
          threads.set(cacheKey, thread);
          conversationId = thread.id;
        }
        parents.set(`${m.channelId}\u0000${m.externalId}`, conversationId);

        activities.push({
          id: conversationId,
          messageId: m.id,
          at: m.createdAt,
          preview: previewOf(m.text),
          direction: m.direction,
          customerId: identity?.customerId ?? null,
          sentiment: m.sentiment,
          intent: m.intent,
          language: m.language,
        });
        const handed = understood?.get(m.id);
        correlations.push({ id: m.id, conversationId, customerId: identity?.customerId ?? null, identityId: identity?.id ?? null, ...(handed ? { understood: handed } : {}) });
      }
      // A conversation this batch opens is inserted with its messages' list-row facts; the others are updated.
      const folded = foldActivities(activities);
      const openings: OpeningConversation[] = newConversations.map((c) => ({ ...c, activity: folded.get(c.id) }));
      // Chained from understand to decide, decide takes the messages as they now stand instead of reading them back:
      // every one was handed over (its classification record is here) and no customer merge moved any. Where no
      // merge can happen (it needs an address or number the platform delivered, and moves conversations and
      // messages), decide also writes the conversations this batch opens and the customers' messages, each once
      // with its decision, instead of updating them right after this writes them. Not our own messages, nor the
      // conversations holding them: decide reads those back (a response meets an SLA clock, and is recorded).
      const handed: JobHandOvers['pipeline.decide'] = { messages: [], opening: [], unsaved: [], folded: new Map() };
      const allHanded = understood !== undefined && correlations.every((c) => c.understood);
      const mayMerge = [...authors.values()].some((a) => a.email || a.phone);
      const handing = allHanded && !mayMerge && ctx.handOver?.('pipeline.decide', handed) === true;
      const ours = new Set(correlations.filter((_, i) => messages[i]!.direction === 'out').map((c) => c.conversationId));
      let deferred = handing ? openings.filter((c) => !ours.has(c.id)) : [];
      const left = new Set(deferred.map((c) => c.id));
      let unsaved = handing ? correlations.filter((c, i): c is MessageCorrelation & { understood: MessageClassification } => messages[i]!.direction === 'in' && c.understood !== undefined) : [];
      const unwritten = new Set(unsaved.map((c) => c.id));

      // Batched writes: known authors' new facts, new customers and conversations, every list-row change, the messages.
      await repos.customers.refreshIdentities(refreshes, now);
      await repos.customers.createManyWithIdentities(newCustomers, now);
      await repos.conversations.createMany(openings.filter((c) => !left.has(c.id)));
      const opened = new Set(newConversations.map((c) => c.id));
      // The activity of conversations the store holds: handed over, decide writes it with its decision (one update).
      const folds = new Map([...folded].filter(([id]) => !opened.has(id)));
      if (!handing) await repos.conversations.recordFolded(folds);
      await repos.messages.saveCorrelation(correlations.filter((c) => !unwritten.has(c.id)));
      const merged = await linkIdentities(repos, [...authors.values()], now);
      if (options.incidents) {
        const complaints = messages.filter(isComplaint).map((m) => ({
          id: m.id,
          channelId: m.channelId,
          platform: channels.get(m.channelId)?.platform ?? 'unknown',
          text: m.text,
          at: m.createdAt,
          isComplaint: true,
          ...(m.language ? { language: m.language } : {}),
          ...(m.intent ? { intent: m.intent } : {}),
        }));
        const events = await trackerOf(options.incidents).observe(repos, complaints, now, ctx.afterCommit);
        // Incident members were attached to their conversations, found through the messages: those left to decide
        // are written now and attached again (attaching is idempotent; the activity left to decide does not bear on it).
        if (events.length > 0 && (deferred.length > 0 || unsaved.length > 0)) {
          await repos.conversations.createMany(deferred);
          await repos.messages.saveCorrelation(unsaved);
          deferred = [];
          unsaved = [];
          for (const event of events) await repos.incidents.attachMembers(event.incidentId, event.messageIds);
        }
      }
      // One correlation per message, in the same order.
      const correlated = (): PipelineMessage[] => messages.map((m, i) => ({ ...m, stage: 'correlated' as const, conversationId: correlations[i]!.conversationId, customerId: correlations[i]!.customerId }));
      if (handing) {
        handed.messages = correlated();
        handed.opening = deferred;
        handed.unsaved = unsaved;
        handed.folded = folds;
      } else if (allHanded && !merged) {
        ctx.handOver?.('pipeline.decide', { messages: correlated(), opening: [], unsaved: [], folded: new Map() });
      }
      await ctx.enqueue('pipeline.decide', { messageIds: correlations.map((c) => c.id) });
    },
  };
};
