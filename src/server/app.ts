import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createClassifier } from './classifier/index.js';
import { createClassifierThread } from './classifier/classifier-thread.js';
import { yieldHelperThreadsToMain } from './platform/thread-priority.js';
import { createReloadableClassifier } from './classifier/reloadable.js';
import { registerClassificationRoutes } from './http/routes/classification.routes.js';
import { createClassificationService } from './services/classification.service.js';
import type { Classifier } from './classifier/types.js';
import type { Config } from './config.js';
import type { ChannelAdapter } from './connectors/port.js';
import { migrateToLatest, openStore, type Store } from './db/database.js';
import { createRepositories, type Repositories, type UnitOfWork } from './repositories/index.js';
import { createHttpServer } from './http/server.js';
import { registerAuthRoutes } from './http/routes/auth.routes.js';
import { registerAttachmentRoutes } from './http/routes/attachments.routes.js';
import { createAttachmentsService } from './services/attachments.service.js';
import { registerConversationRoutes } from './http/routes/conversations.routes.js';
import { registerConversationOperationRoutes } from './http/routes/conversation-operations.routes.js';
import { registerDirectoryRoutes } from './http/routes/directory.routes.js';
import { registerIdentityRoutes } from './http/routes/identity.routes.js';
import { registerCustomerRecordsRoutes } from './http/routes/customer-records.routes.js';
import { createCustomerRecordsService } from './services/customer-records.service.js';
import { registerIncidentRoutes } from './http/routes/incidents.routes.js';
import { registerEventRoutes } from './http/routes/events.routes.js';
import { registerMessageRoutes } from './http/routes/messages.routes.js';
import { registerWebhookRoutes } from './http/routes/webhooks.routes.js';
import { registerListeningRoutes } from './http/routes/listening.routes.js';
import { registerSystemRoutes } from './http/routes/system.routes.js';
import { registerSpa } from './http/spa.js';
import { createIngestLog, type IngestLog } from './jobs/ingest-log.js';
import { createOutboxDispatcher } from './jobs/outbox-dispatcher.js';
import { createWorker } from './jobs/worker.js';
import { systemClock, type Clock } from './platform/clock.js';
import { createSecretBox } from './platform/crypto.js';
import { createEventBus } from './platform/events.js';
import { openEventRelay } from './db/event-relay.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics } from './platform/metrics.js';
import { loadOrCreateSecretKey } from './platform/secret-key.js';
import { createCorrelateStage } from './pipeline/correlate.js';
import { createDecideStage } from './pipeline/decide.js';
import { createDecideConfigCache } from './pipeline/decide-config.js';
import { createSlaCheckStage } from './pipeline/decide-sla-check.js';
import { createConversationUpdatedStage, createIncidentDetectedStage, createRuleScheduler, createScheduleStage } from './pipeline/decide-events.js';
import { createWebhookStage } from './pipeline/decide-webhooks.js';
import { createGuardedHttp } from './platform/guarded-http.js';
import { registerMacroRoutes } from './http/routes/macros.routes.js';
import { registerSuggestedRepliesRoutes } from './http/routes/suggested-replies.routes.js';
import { createSuggestedRepliesService } from './services/suggested-replies.service.js';
import { registerReportRoutes } from './http/routes/reports.routes.js';
import { registerRulesRoutes } from './http/routes/rules.routes.js';
import { registerSlaRoutes } from './http/routes/sla.routes.js';
import { createEquityService } from './services/equity.service.js';
import { createMacrosService } from './services/macros.service.js';
import { createPrioritySettingsService } from './services/priority-settings.service.js';
import { createRulesService } from './services/rules.service.js';
import { createSlaService } from './services/sla.service.js';
import type { IncidentTrackerOptions } from './pipeline/incidents.js';
import { createIngest } from './pipeline/ingest.js';
import { createUnderstandStage } from './pipeline/understand.js';
import { createAuthService } from './services/auth.service.js';
import { createChannelsService } from './services/channels.service.js';
import { createChannelRuntime } from './services/channel-runtime.service.js';
import { createStoredChatMailbox, createWebchatService } from './services/webchat.service.js';
import { createChatRepository } from './repositories/chat.repository.js';
import { createChannelAdapter } from './connectors/registry.js';
import { registerWebchatRoutes } from './http/routes/webchat.routes.js';
import { registerFeedbackRoutes } from './http/routes/feedback.routes.js';
import { createFeedbackService } from './services/feedback.service.js';
import { registerPhoneRoutes } from './http/routes/phone.routes.js';
import { createPhoneCallbacksService } from './services/phone-callbacks.service.js';
import { createListeningService } from './services/listening.service.js';
import type { RunnerOptions } from './services/channel-runtime-runners.js';
import { createConversationsService } from './services/conversations.service.js';
import { createConversationOperationsService } from './services/conversation-operations.service.js';
import { createSnoozeWakeStage } from './services/conversation-operations-wake.js';
import { createCustomersService } from './services/customers.service.js';
import { createIdentityService } from './services/identity.service.js';
import { createIncidentsService } from './services/incidents.service.js';
import { createTeamsService } from './services/teams.service.js';
import { createUsersService } from './services/users.service.js';
import { registerPublicPageRoutes } from './http/routes/public-pages.routes.js';
import { registerTrustRoutes } from './http/routes/trust.routes.js';
import { createAuditLogService } from './services/audit-log.service.js';
import { createDataRightsService } from './services/data-rights.service.js';
import { createImpostorsService } from './services/impostors.service.js';
import { createPrivateHandoffService } from './services/private-handoff.service.js';
import { createVerificationService } from './services/verification.service.js';
import { createSystemMailer, defaultFromAddress } from './trust/system-mailer.js';
import { createOutgoingUrlPolicy } from './trust/outgoing-urls.js';
import { deriveSigningKey } from './trust/signing.js';

export type ProcessRole = 'web' | 'worker' | 'scheduler';

export interface AppOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  classifier?: Classifier;
  /**
   * Classify on a thread of its own (PARLEY_CLASSIFIER_THREAD). By default on when the app loads its own models, off
   * when a classifier is given (tests share one).
   */
  classifierThread?: boolean;
  /** ':memory:' in tests. */
  sqliteFile?: string;
  /** Incident detection; by default incidents at confidence ≥ 0.95 confirm themselves. */
  incidents?: IncidentTrackerOptions;
  /** Builds a sending adapter for a channel; the connector registry in production, local fakes in tests. */
  /** JetStream stream name for the ingest log (tests isolate themselves with their own). */
  ingestStream?: string;
  /** Serve the built SPA at / (building it on first start when missing); tests of the API turn it off. */
  serveSpa?: boolean;
  /** Lets automation rules notify webhooks on private or loopback addresses (off: SSRF guard). */
  allowPrivateWebhooks?: boolean;
  adapterFor?: (channel: { id: string; platform: string; config: Record<string, unknown>; credentials: Record<string, unknown>; ownAccountIds: string[] }) => ChannelAdapter | null;
  /** Stream and poll runner timing (tests shorten the backoff). */
  channelRunners?: RunnerOptions;
}

/** The composition root: store → repositories → classifier → pipeline → services → HTTP and workers. */
export const createApp = async (options: AppOptions) => {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const store: Store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous, ...(options.sqliteFile ? { sqliteFile: options.sqliteFile } : {}) });
  await migrateToLatest(store);
  const storeOptions = { skipLocked: store.supportsSkipLocked, asyncCommit: store.dialect === 'postgres' };
  const repos = createRepositories(store.db, storeOptions);
  const uow: UnitOfWork = (work) => store.db.transaction().execute((trx) => work(createRepositories(trx, storeOptions)));
  const secrets = createSecretBox(loadOrCreateSecretKey(config.secretKey, config.dataDir));
  // Several processes may work on one store: live updates travel between them, through LISTEN/NOTIFY on
  // PostgreSQL and through sockets beside each other on the embedded store (a worker or `parley import` beside the server).
  const relay = await openEventRelay({ databaseUrl: config.databaseUrl, sqliteFile: store.file }, logger);
  const events = relay?.bus ?? createEventBus();
  const customIntentModelPath = path.join(config.dataDir, 'models', 'intent-custom.bin');
  // Reloadable: a workspace that teaches Parley its own intents gets them in the running pipeline at once.
  const classifier = createReloadableClassifier(() => (options.classifier && !existsSync(customIntentModelPath) ? options.classifier : createClassifier({ customIntentModelPath })));
  // The understand stage classifies on another core; this thread's copy of the models then loads only if needed.
  const classifierThread =
    (options.classifierThread ?? (config.classifierThread && !options.classifier))
      ? createClassifierThread({ customIntentModelPath, onError: (message) => logger.warn({ err: message }, 'classifier thread') })
      : null;
  const understand = createUnderstandStage({ classifier, ...(classifierThread ? { offThread: classifierThread } : {}) });
  let workerRunning = false;
  /** New intent models (after `train intents`, here or in another process): every copy reloads. */
  const reloadModels = (): void => {
    classifier.reload();
    classifierThread?.reload();
    understand.forget();
  };

  const metrics = createMetrics(async () => {
    const [q, o] = await Promise.all([repos.jobs.stats(clock.now()), repos.outbox.countFailures()]);
    return { ...q, outboxDead: o.dead, outboxRetrying: o.retrying };
  }, clock.now);

  const teams = createTeamsService({ repos, uow, clock });
  let marketingTeamId: string | null = null;
  const refreshMarketingTeam = async () => {
    marketingTeamId = (await teams.list()).find((t) => t.kind === 'marketing')?.id ?? null;
  };

  // Rule webhooks, feeds and instance-hosted platforms (Mastodon, Bluesky) reach user-chosen URLs: every connection,
  // HTTP or WebSocket, is checked against the private allow-list when it connects. Closed when the app stops.
  const outgoingHttp = createGuardedHttp({ allow: options.allowPrivateWebhooks ? ['*'] : config.allowPrivateUrls });
  const outgoingFetch = outgoingHttp.fetch;
  const decideDeps = {
    config: createDecideConfigCache(),
    publicUrl: config.publicUrl,
    allowPrivateWebhooks: options.allowPrivateWebhooks ?? config.allowPrivateUrls.includes('*'),
    onChanged: (ids: string[]) => events.publish({ type: 'conversations.changed', conversationIds: ids }),
    onOutbox: () => events.publish({ type: 'outbox.enqueued' }),
    // Signed single-use links from the trust layer (composed below; called only while jobs run).
    issuePrivateLink: async (tx: Repositories, conversationId: string, now: number) => (await handoff.issueLink(tx, conversationId, { userId: 'automation', role: 'admin', requestId: 'rule' }, now)).url,
  };
  // The embedded store's single writer shares this thread with the web server: while requests are arriving the
  // worker keeps its transactions short (see WorkerOptions.latencyBudgetMs). PostgreSQL work does not block it.
  let lastRequestAt = Number.NEGATIVE_INFINITY;
  const worker = createWorker({
    uow,
    repos,
    clock,
    logger,
    metrics,
    maxBatchMessages: config.workerBatch,
    chain: ['pipeline.correlate', 'pipeline.decide'],
    // While requests arrive, understand (whose classifying happened on the classifier thread) still runs in
    // correlate's transaction; correlate and decide keep one each.
    ...(store.dialect === 'sqlite' ? { interactive: () => performance.now() - lastRequestAt < 250, yieldTo: () => ingestSettled(), interactiveChain: ['pipeline.correlate'] as const } : {}),
    handlers: [
      understand,
      createCorrelateStage({ reopenWindowMs: 7 * 24 * 60 * 60 * 1000, incidents: options.incidents ?? { autoConfirmConfidence: 0.95 } }),
      // The decide stage syncs the clocks of what it decides, so its changes skip the SLA sync below.
      createDecideStage({ ...decideDeps, onChanged: (ids) => events.publish({ type: 'conversations.changed', conversationIds: ids, clocksSynced: true }), marketingTeamId: () => marketingTeamId }),
      createSlaCheckStage(decideDeps),
      createScheduleStage(decideDeps),
      createIncidentDetectedStage(decideDeps),
      createConversationUpdatedStage(decideDeps),
      createSnoozeWakeStage(decideDeps),
      createWebhookStage({ uow, clock, logger, fetch: outgoingFetch }),
    ],
  });
  const { ingest, settled: ingestSettled } = createIngest({
    uow,
    clock,
    onIngested: (stored) => {
      metrics.ingested(stored.length);
      if (workerRunning) understand.ahead(stored);
      worker.wake();
      events.publish({ type: 'messages.ingested', count: stored.length });
    },
  });

  const channels = createChannelsService({ repos, uow, clock, secrets, urlPolicy: createOutgoingUrlPolicy({ allow: options.allowPrivateWebhooks ? ['*'] : config.allowPrivateUrls }) });
  const chatRepository = createChatRepository(store.db);
  const chatMailbox = createStoredChatMailbox(chatRepository, clock);
  const channelRuntime = createChannelRuntime({ repos, clock, logger, channels, ingest, registry: metrics.registry, listeningQueriesFor: (channel) => listening.queriesFor(channel), buildAdapter: options.adapterFor ?? ((channel) => createChannelAdapter(channel, { chatMailbox, fetch: outgoingFetch, socketOptions: outgoingHttp.socketOptions })), ...(options.channelRunners ? { runners: options.channelRunners } : {}) });
  const listening = createListeningService({ repos, uow, clock, adapterFor: channelRuntime.adapterFor });
  const outbox = createOutboxDispatcher({
    repos,
    uow,
    clock,
    logger,
    adapterFor: (channelId) => channelRuntime.adapterFor(channelId),
    onDelivered: () => metrics.outboxDelivered(),
    onFailed: (_item, dead) => metrics.outboxFailed(dead),
  });
  events.subscribe((event, meta) => {
    if (event.type === 'outbox.enqueued') outbox.wake();
    // Another process ingested or retrained: work for this one's worker, models for its classifier.
    else if (event.type === 'messages.ingested' && meta.remote) worker.wake();
    else if (event.type === 'classifier.changed' && meta.remote) reloadModels();
  });

  const auth = createAuthService({ repos, uow, clock });
  const users = createUsersService({ repos, uow, clock });
  const customers = createCustomersService({ repos, uow, clock });
  const customerRecords = createCustomerRecordsService({ repos, uow, clock });
  const conversations = createConversationsService({ repos, uow, clock, events, publicUrl: config.publicUrl });
  const attachments = createAttachmentsService({ repos, clock, logger });
  const incidents = createIncidentsService({ repos, uow, clock, events, publicUrl: config.publicUrl, ...(options.incidents?.detector ? { detector: options.incidents.detector } : {}) });
  const identity = createIdentityService({ repos, uow, clock, events });
  const conversationOperations = createConversationOperationsService({ repos, uow, clock, events });
  const decide = { sla: createSlaService({ repos, uow, clock }), rules: createRulesService({ repos, uow, clock }), macros: createMacrosService({ repos, uow, clock }), equity: createEquityService({ repos, clock }), prioritySettings: createPrioritySettingsService({ repos, uow, clock }) };
  events.subscribe((event, meta) => {
    if (event.type === 'conversations.changed' && !meta.remote && !event.clocksSynced) decide.sla.syncConversations(event.conversationIds).catch((err: unknown) => logger.warn({ err: String(err) }, 'SLA clock sync failed'));
  });
  const services = { auth, users, teams, channels, customers, customerRecords, conversations, ingest, incidents, identity, ...decide };
  const signingKey = deriveSigningKey(loadOrCreateSecretKey(config.secretKey, config.dataDir));
  const mailer = config.smtp ? createSystemMailer({ url: config.smtp.url, from: config.smtp.from ?? defaultFromAddress(config.publicUrl) }) : null;
  const handoff = createPrivateHandoffService({ repos, uow, clock, events, signingKey, publicUrl: config.publicUrl, mailer });
  const verification = createVerificationService({ repos, uow, clock, events, logger, publicUrl: config.publicUrl, conversations });
  const trust = { audit: createAuditLogService({ repos, uow, clock }), handoff, verification, impostors: createImpostorsService({ repos, uow, clock, logger, conversations, handoff }), dataRights: createDataRightsService({ repos, uow, clock, logger }) };
  const stopTrust = [verification.watch()];

  const http = await createHttpServer({ logger, auth, publicUrl: config.publicUrl, onResponse: metrics.httpRequest });
  http.addHook('onRequest', async () => {
    lastRequestAt = performance.now();
  });
  registerSystemRoutes(http, {
    ready: async () => {
      await repos.settings.get('ready-probe');
      return true;
    },
    metrics: () => metrics.render(),
    contentType: metrics.registry.contentType,
  });
  registerAuthRoutes(http, { auth, users, secureCookies: config.publicUrl.startsWith('https://') });
  registerConversationRoutes(http, { conversations });
  await registerAttachmentRoutes(http, { attachments, maxBytes: config.attachmentMaxBytes });
  registerConversationOperationRoutes(http, { conversations, operations: conversationOperations });
  const ingestLog: IngestLog | null = config.natsUrl ? await createIngestLog({ url: config.natsUrl, logger, ...(options.ingestStream ? { stream: options.ingestStream } : {}) }) : null;
  registerMessageRoutes(http, { ingest, ingestLog });
  registerDirectoryRoutes(http, { users, teams, channels, customers, runtime: channelRuntime });
  registerListeningRoutes(http, { listening });
  await registerWebhookRoutes(http, channelRuntime);
  registerTrustRoutes(http, trust);
  await registerPublicPageRoutes(http, { handoff, verification, secureCookies: config.publicUrl.startsWith('https://') });
  registerIncidentRoutes(http, { incidents });
  registerIdentityRoutes(http, { identity });
  await registerCustomerRecordsRoutes(http, { records: customerRecords });
  registerSlaRoutes(http, decide);
  registerRulesRoutes(http, decide);
  registerMacroRoutes(http, decide);
  registerSuggestedRepliesRoutes(http, { suggestions: createSuggestedRepliesService({ repos, db: store.db, clock }) });
  registerReportRoutes(http, { ...decide, now: clock.now });
  registerEventRoutes(http, { events });
  const webchat = createWebchatService({ chat: chatRepository, mailbox: chatMailbox, channels, clock, appSecret: loadOrCreateSecretKey(config.secretKey, config.dataDir) });
  await registerWebchatRoutes(http, { webchat, channels, publicUrl: config.publicUrl });
  await registerFeedbackRoutes(http, { feedback: createFeedbackService({ channels, ingest, clock }), publicUrl: config.publicUrl });
  registerPhoneRoutes(http, { callbacks: createPhoneCallbacksService({ conversations, channels }) });
  const classification = createClassificationService({ repos, uow, clock, customIntentModelPath, reloadClassifier: () => {
      reloadModels();
      events.publish({ type: 'classifier.changed' });
    } });
  registerClassificationRoutes(http, { classification });
  if (options.serveSpa !== false) await registerSpa(http, path.resolve(fileURLToPath(new URL('../../', import.meta.url)), 'dist/web'));

  let started: ProcessRole[] = [];
  return {
    config,
    logger,
    clock,
    store,
    repos,
    uow,
    events,
    classifier,
    services,
    worker,
    outbox,
    channelRuntime,
    listening,
    trust,
    ingestLog,
    classification,
    http,
    /** Outgoing HTTP to user-chosen hosts (guarded against private addresses); closed by stop(). */
    outgoingHttp,
    /** Starts the given roles: web listens, worker runs the pipeline and the outbox. */
    async start(roles: readonly ProcessRole[] = ['web', 'worker', 'scheduler']): Promise<void> {
      await refreshMarketingTeam();
      started = [...roles];
      if (roles.includes('worker')) stopTrust.push(trust.impostors.startTimer(), trust.dataRights.startTimer(), attachments.startTimer());
      if (roles.includes('worker')) {
        // Models load before the first message, not with it.
        if (classifierThread) await classifierThread.ready().catch((err: unknown) => logger.warn({ err: String(err) }, 'classifier thread did not start: classifying on the worker thread'));
        else void classifier.version;
        workerRunning = true;
        worker.start();
        outbox.start();
        ingestLog?.start(ingest);
      }
      if (roles.includes('scheduler')) channelRuntime.runners.start();
      if (roles.includes('scheduler')) stopTrust.push(createRuleScheduler({ uow, clock, onError: (err) => logger.warn({ err: String(err) }, 'rule schedule tick failed') }).start());
      if (roles.includes('web')) await http.listen({ port: config.port, host: config.host });
      // Its threads are up (the classifier's, the checkpointer's, V8's and libuv's): under load they wait for the
      // main thread, which answers HTTP and, on the embedded store, is the writer every stage waits on.
      yieldHelperThreadsToMain();
    },
    async stop(): Promise<void> {
      if (started.includes('web')) await http.close();
      else await http.close().catch(() => undefined);
      await ingestLog?.close();
      await channelRuntime.runners.stop();
      chatMailbox.stop();
      await worker.stop();
      workerRunning = false;
      await classifierThread?.close();
      await outbox.stop();
      // After everything that sends has stopped, so no in-flight delivery loses its connection.
      await outgoingHttp.close();
      for (const stop of stopTrust.splice(0)) await stop();
      mailer?.close();
      await relay?.stop();
      await store.close();
    },
    refreshMarketingTeam,
  };
};

export type ParleyApp = Awaited<ReturnType<typeof createApp>>;
