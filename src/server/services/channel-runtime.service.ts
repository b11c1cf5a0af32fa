import type { Envelope } from '../../shared/envelope.js';
import type { AdapterFactory, ChannelAdapter, CredentialStore, Deletion, OutboundMessage, WebhookRequest } from '../connectors/port.js';
import { ConnectorError } from '../connectors/port.js';
import { createChannelAdapter } from '../connectors/registry.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import type { Channel } from '../repositories/channels.repository.js';
import type { Repositories } from '../repositories/index.js';
import type { Registry } from 'prom-client';
import type { ChannelsService } from './channels.service.js';
import { registerChannelGauges } from './channel-runtime-metrics.js';
import { createIngestBatcher } from './channel-runtime-ingest.js';
import { createChannelRunners, type IngestMode, type RunnerHealth, type RunnerOptions } from './channel-runtime-runners.js';

export type AdapterBuilder = (channel: Parameters<AdapterFactory>[0]) => ChannelAdapter | null;

export interface ChannelRuntimeDeps {
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  channels: ChannelsService;
  ingest: Ingest;
  /** Builds an adapter from a channel's settings; the connector registry unless a test passes fakes. */
  buildAdapter?: AdapterBuilder;
  /** Listening queries that apply to a channel (its brand's enabled rules), merged into firehose configs. */
  listeningQueriesFor?(channel: Channel): Promise<string[]>;
  runners?: RunnerOptions;
  /** Registers per-channel gauges (last event, lag, connected, error, restarts) for /metrics. */
  registry?: Registry;
}

/** What a webhook delivery came to, for the HTTP edge to answer. */
export type WebhookOutcome =
  | { type: 'handshake'; status: number; contentType: string; body: string }
  | { type: 'rejected'; status: 400 | 401 | 403; reason: string }
  /**
   * `events` and `deletions` count what the delivery carried; ingest dedupes them against the store. `held`: the
   * channel is paused, so the delivery was stored to enter the pipeline when it resumes.
   */
  | { type: 'accepted'; events: number; deletions: number; ignored: boolean; held?: boolean };

export interface ChannelHealth extends RunnerHealth {
  channelId: string;
  platform: string;
  name: string;
  status: string;
  lastEventAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Deliveries a paused channel acknowledged and keeps until it resumes. */
  heldDeliveries: number;
}

interface Built {
  key: string;
  adapter: ChannelAdapter;
  mode: IngestMode;
}

/** Platforms whose adapters filter open sources themselves with `config.listeningQueries`. */
const firehosePlatforms = new Set(['reddit', 'mastodon', 'bluesky', 'rss']);
const metaPlatforms = new Set(['facebook', 'instagram', 'whatsapp']);
const ingestModes = new Set<IngestMode>(['stream', 'poll', 'webhook']);

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Stream where the platform pushes over a socket, poll where it only answers requests, else webhooks only. */
const chooseMode = (channel: Channel, credentials: Record<string, unknown>, adapter: ChannelAdapter): IngestMode => {
  const explicit = channel.config.ingest;
  if (typeof explicit === 'string' && ingestModes.has(explicit as IngestMode)) return explicit as IngestMode;
  if (channel.platform === 'x') {
    // X has three inbound paths; the filtered stream needs an app token, the mentions timeline a user token.
    if (adapter.stream && typeof credentials.bearerToken === 'string') return 'stream';
    if (adapter.poll && (typeof credentials.accessToken === 'string' || typeof credentials.refreshToken === 'string')) return 'poll';
    return 'webhook';
  }
  return adapter.stream ? 'stream' : adapter.poll ? 'poll' : 'webhook';
};

/** An adapter for a channel whose settings cannot build one: every send fails permanently with the reason. */
const unusableAdapter = (channel: Channel, reason: string): ChannelAdapter => ({
  platform: channel.platform as ChannelAdapter['platform'],
  channelId: channel.id,
  send: () => Promise.reject(new ConnectorError(reason, false, null, 'channel_settings')),
});

/**
 * The live side of channels: one adapter per channel (rebuilt when its settings, credentials or listening rules
 * change), webhook deliveries verified by the adapter and ingested, stream and poll runners for the scheduler
 * role, and per-channel health. Credentials are opened only to build an adapter and never leave it.
 */
export const createChannelRuntime = (deps: ChannelRuntimeDeps) => {
  const { repos, clock, logger, channels, ingest } = deps;
  const buildAdapter: AdapterBuilder = deps.buildAdapter ?? createChannelAdapter;
  const cache = new Map<string, Built>();
  // Webhook channels' lag as this process saw it: from the newest delivered message's creation to its ingest.
  const webhookLagSeconds = new Map<string, number>();
  // Credentials an adapter rotated itself (refresh tokens, sessions): the sealed value it wrote and the one it was
  // built from. Its own write must not count as a settings change, or every token refresh would restart a stream.
  const selfWritten = new Map<string, { basis: string | null; written: string }>();

  const credentialStoreFor = (channelId: string, basis: string | null): CredentialStore => ({
    async load() {
      const stored = await repos.channels.get(channelId);
      return stored ? channels.credentialsOf(stored) : {};
    },
    async save(patch) {
      const written = await channels.updateCredentials(channelId, patch);
      selfWritten.set(channelId, { basis, written });
    },
  });
  const ingestDelivery = createIngestBatcher(ingest);

  const lastInboundAt = async (channelId: string, externalId: string): Promise<string | null> => {
    const [message] = await repos.messages.findByExternalIds(channelId, [externalId]);
    return message ? new Date(message.createdAt).toISOString() : null;
  };

  /** Messenger, Instagram and WhatsApp windows run from the customer's last message: the answered one. */
  const withMessagingWindow = (adapter: ChannelAdapter): ChannelAdapter => ({
    ...adapter,
    send: async (message: OutboundMessage) => {
      if (message.lastInboundAt || !message.inReplyToExternalId) return adapter.send(message);
      return adapter.send({ ...message, lastInboundAt: await lastInboundAt(message.channelId, message.inReplyToExternalId) });
    },
  });

  const build = async (channel: Channel): Promise<Built | null> => {
    // The demo simulator feeds `simulated` channels itself; they have no platform to reach.
    if (channel.config.simulated === true) return null;
    const listening = firehosePlatforms.has(channel.platform) && deps.listeningQueriesFor ? await deps.listeningQueriesFor(channel) : [];
    const config = listening.length > 0 ? { ...channel.config, listeningQueries: [...new Set([...stringList(channel.config.listeningQueries), ...listening])] } : channel.config;
    const own = selfWritten.get(channel.id);
    const sealedBasis = own && own.written === channel.sealedCredentials ? own.basis : channel.sealedCredentials;
    const key = JSON.stringify([sealedBasis, config, channel.ownAccountIds]);
    const cached = cache.get(channel.id);
    if (cached?.key === key) return cached;
    let built: Built | null;
    try {
      const credentials = channels.credentialsOf(channel);
      const adapter = buildAdapter({
        id: channel.id,
        platform: channel.platform as Parameters<AdapterFactory>[0]['platform'],
        config,
        credentials,
        ownAccountIds: channel.ownAccountIds,
        credentialStore: credentialStoreFor(channel.id, sealedBasis),
      });
      built = adapter ? { key, adapter: metaPlatforms.has(channel.platform) ? withMessagingWindow(adapter) : adapter, mode: chooseMode(channel, credentials, adapter) } : null;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn({ channelId: channel.id, platform: channel.platform, reason }, 'channel settings do not build an adapter');
      built = { key, adapter: unusableAdapter(channel, `channel ${channel.name} cannot connect: ${reason}`), mode: 'webhook' };
    }
    if (built) cache.set(channel.id, built);
    else cache.delete(channel.id);
    return built;
  };

  const adapterOf = async (channelId: string): Promise<ChannelAdapter | null> => {
    const channel = await repos.channels.get(channelId);
    if (!channel || channel.status === 'removed') {
      cache.delete(channelId);
      return null;
    }
    return (await build(channel))?.adapter ?? null;
  };

  const runners = createChannelRunners({
    repos,
    clock,
    logger,
    ingest,
    build: async (channel) => {
      const built = await build(channel);
      return built ? { key: built.key, adapter: built.adapter, mode: built.mode } : null;
    },
    ...(deps.runners ? { options: deps.runners } : {}),
    afterReconcile: async () => {
      await releaseHeld();
    },
  });

  const noteHealthy = async (channel: Channel): Promise<void> => {
    if (channel.lastError !== null) await repos.channels.recordError(channel.id, null, clock.now());
  };

  const deliverWebhook = async (channel: Channel, request: WebhookRequest): Promise<WebhookOutcome> => {
    const adapter = (await build(channel))?.adapter;
    if (!adapter?.handleWebhook) return { type: 'rejected', status: 403, reason: `channel ${channel.id} does not take webhooks` };
    const result = await adapter.handleWebhook(request);
    if (result.type === 'handshake') return result;
    if (result.type === 'rejected') {
      await repos.channels.recordError(channel.id, `webhook rejected: ${result.reason}`, clock.now());
      return result;
    }
    const events = result.envelopes.length;
    const deletions = result.deletions.length;
    // A paused channel still answers its platform (or it would retry, then give up and drop the events) and keeps
    // what it verified; it enters the pipeline, in order, when the channel resumes (releaseHeld).
    if (channel.status !== 'active') {
      if (events + deletions > 0) await repos.channels.hold({ id: newId(), channelId: channel.id, envelopes: result.envelopes, deletions: result.deletions, now: clock.now() });
      return { type: 'accepted', events, deletions, ignored: false, held: true };
    }
    if (events + deletions > 0) await ingestDelivery(result.envelopes, result.deletions);
    const newest = result.envelopes.reduce((max, e) => Math.max(max, Date.parse(e.createdAt) || 0), 0);
    if (newest > 0) webhookLagSeconds.set(channel.id, Math.max(0, (clock.now() - newest) / 1000));
    await noteHealthy(channel);
    return { type: 'accepted', events, deletions, ignored: false };
  };

  /**
   * Meta sends one callback per app: every Facebook, Instagram and WhatsApp channel with `config.appId` equal
   * to this app verifies and maps its own entries. Accepted when any channel's signature check passes.
   */
  const receiveMetaAppWebhook = async (appId: string, request: WebhookRequest): Promise<WebhookOutcome> => {
    const targets = (await repos.channels.list()).filter((c) => metaPlatforms.has(c.platform) && c.config.appId === appId);
    if (targets.length === 0) throw new AppError('channel_not_found', `no Facebook, Instagram or WhatsApp channel for app ${appId}`);
    const outcomes: WebhookOutcome[] = [];
    for (const channel of targets) {
      const outcome = await deliverWebhook(channel, request);
      if (outcome.type === 'handshake') return outcome;
      outcomes.push(outcome);
    }
    const accepted = outcomes.filter((o): o is Extract<WebhookOutcome, { type: 'accepted' }> => o.type === 'accepted');
    if (accepted.length === 0) return outcomes[0] as WebhookOutcome;
    return { type: 'accepted', events: accepted.reduce((n, o) => n + o.events, 0), deletions: accepted.reduce((n, o) => n + o.deletions, 0), ignored: accepted.every((o) => o.ignored), held: accepted.some((o) => o.held) };
  };

  const liveChannel = async (channelId: string): Promise<Channel> => {
    const channel = await repos.channels.get(channelId);
    if (!channel || channel.status === 'removed') throw new AppError('channel_not_found', `no channel ${channelId}`);
    return channel;
  };

  /**
   * Ingest what paused channels held, oldest first, once they are active again (a removed channel's are dropped).
   * A crash between ingest and drop re-ingests a delivery, which ingest dedupes. Returns the deliveries released.
   */
  const releaseHeld = async (): Promise<number> => {
    let released = 0;
    for (const channelId of (await repos.channels.heldCounts()).keys()) {
      const channel = await repos.channels.get(channelId);
      if (channel && channel.status !== 'active' && channel.status !== 'removed') continue;
      for (;;) {
        const batch = await repos.channels.listHeld(channelId, 100);
        if (batch.length === 0) break;
        if (channel?.status === 'active') {
          for (const held of batch) await ingest(held.envelopes as Envelope[], held.deletions as Deletion[]);
        }
        await repos.channels.dropHeld(batch.map((h) => h.id));
        released += batch.length;
      }
    }
    if (released > 0) logger.info({ released }, 'released deliveries held while channels were paused');
    return released;
  };

  const withWebhookLag = (channelId: string, runner: RunnerHealth): RunnerHealth => ({ ...runner, lagSeconds: runner.lagSeconds ?? webhookLagSeconds.get(channelId) ?? null });

  const health = async (): Promise<ChannelHealth[]> => {
    const held = await repos.channels.heldCounts();
    return (await repos.channels.list()).map((c) => ({
      channelId: c.id,
      platform: c.platform,
      name: c.name,
      status: c.status,
      lastEventAt: c.lastEventAt,
      lastError: c.lastError,
      lastErrorAt: c.lastErrorAt,
      heldDeliveries: held.get(c.id) ?? 0,
      ...withWebhookLag(c.id, runners.healthOf(c.id, cache.get(c.id)?.mode ?? null)),
    }));
  };
  if (deps.registry) registerChannelGauges(deps.registry, health, clock.now);

  return {
    /** The outbox's way to a channel's sending adapter; null for a removed channel or a platform without adapter. */
    adapterFor: adapterOf,

    /** A delivery to /webhooks/:platform/:channelId; `platform` is the channel's, or `meta` with a Meta channel's id or the Meta app id. */
    async receiveWebhook(platform: string, channelId: string, request: WebhookRequest): Promise<WebhookOutcome> {
      const channel = await repos.channels.get(channelId);
      const live = channel && channel.status !== 'removed' ? channel : null;
      if (live && (live.platform === platform || (platform === 'meta' && metaPlatforms.has(live.platform)))) return deliverWebhook(live, request);
      // /webhooks/meta/:appId: Meta's app-level callback URL names the app, not a channel.
      if (platform === 'meta' && !live) return receiveMetaAppWebhook(channelId, request);
      throw new AppError('channel_not_found', `no ${platform} channel ${channelId}`);
    },

    receiveMetaAppWebhook,

    /** Checks a channel's credentials against its platform and records the outcome as the channel's health. */
    async test(channelId: string): Promise<{ ok: boolean; detail: string }> {
      const channel = await liveChannel(channelId);
      const adapter = (await build(channel))?.adapter;
      let outcome: { ok: boolean; detail: string };
      if (!adapter) outcome = { ok: false, detail: `Parley has no adapter for ${channel.platform}` };
      else if (!adapter.test) outcome = { ok: false, detail: `the ${channel.platform} adapter cannot check credentials` };
      else outcome = await adapter.test().catch((error: unknown) => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }));
      await repos.channels.recordError(channel.id, outcome.ok ? null : `credential check failed: ${outcome.detail}`, clock.now());
      return outcome;
    },

    releaseHeld,

    /** Health of every channel: what the store recorded plus what this process's runners see. */
    health,

    /** Drop a channel's adapter so the next use rebuilds it (after its settings change). */
    invalidate(channelId: string): void {
      cache.delete(channelId);
    },

    runners,
  };
};

export type ChannelRuntime = ReturnType<typeof createChannelRuntime>;
