import type { Envelope, Platform } from '../../shared/envelope.js';
import type { GuardedSocketOptions } from '../platform/guarded-http.js';
import type { ChatMailbox } from './webchat/mailbox.js';

/** Raw webhook request as the HTTP edge received it: the signature is checked over `rawBody`, never re-serialised JSON. */
export interface WebhookRequest {
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

/** A handshake (CRC, hub.challenge) is answered directly; events are mapped to Envelopes. */
export type WebhookResult =
  | { type: 'handshake'; status: number; contentType: string; body: string }
  | { type: 'events'; envelopes: Envelope[]; deletions: Deletion[] }
  | { type: 'rejected'; status: 401 | 403 | 400; reason: string };

export interface Deletion {
  channelId: string;
  externalId: string;
}

/** What the outbox asks a connector to deliver. */
export interface OutboundMessage {
  idempotencyKey: string;
  channelId: string;
  kind: 'reply' | 'dm' | 'email' | 'chat';
  text: string;
  /** Platform id of the message being answered (public reply), if any. */
  inReplyToExternalId?: string | null;
  /** Platform id of the recipient (DMs) or address (email). */
  recipient?: { platformId: string; handle?: string | null; email?: string | null } | null;
  threadKey?: string | null;
  subject?: string | null;
  /** Message-ID chain for email threading. */
  references?: string[];
  /**
   * When the customer last wrote in this conversation (ISO-8601). Messenger, Instagram and WhatsApp
   * only allow free-form private messages inside a window after it; adapters refuse clearly outside.
   */
  lastInboundAt?: string | null;
  /** A pre-approved template (WhatsApp) for messaging outside the customer-service window. */
  template?: { name: string; language: string; parameters?: string[] } | null;
  /**
   * Files to send with the message, loaded from the store at send time (the outbox row keeps only their ids).
   * Adapters that cannot carry media refuse with a permanent ConnectorError before sending anything.
   */
  media?: OutboundMedia[];
}

export interface OutboundMedia {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface SendResult {
  platformMessageId: string;
  url?: string | null;
}

/** A connector error the outbox can act on: retry later (with the platform's hint) or give up with a reason an agent can read. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly platformCode: string | null = null,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

/** Where a pulled or streamed source resumes; persisted by the caller after the envelopes are ingested. */
export type Cursor = string | null;

export interface PollResult {
  envelopes: Envelope[];
  deletions: Deletion[];
  cursor: Cursor;
}

/** The per-channel adapter every platform implements (ARCHITECTURE.md "Channel adapters"). */
export interface ChannelAdapter {
  readonly platform: Platform;
  readonly channelId: string;
  /** Verify and parse a webhook delivery (push platforms). */
  handleWebhook?(request: WebhookRequest): Promise<WebhookResult> | WebhookResult;
  /** Pull since a saved cursor (poll platforms). */
  poll?(cursor: Cursor, signal?: AbortSignal): Promise<PollResult>;
  /** Long-lived stream (X filtered stream, Mastodon streaming, Jetstream, IMAP IDLE). Resolves when stopped. */
  stream?(sink: StreamSink, cursor: Cursor, signal: AbortSignal): Promise<void>;
  /** Deliver one outbound message; throws ConnectorError on failure. */
  send(message: OutboundMessage): Promise<SendResult>;
  /** Check credentials against the platform. */
  test?(): Promise<{ ok: boolean; detail: string }>;
}

export interface StreamSink {
  /** Resolves once the envelopes are durably ingested; the stream may then persist `cursor`. */
  deliver(envelopes: Envelope[], deletions: Deletion[], cursor: Cursor): Promise<void>;
  health(event: { type: 'connected' | 'disconnected' | 'keepalive' | 'error'; detail?: string }): void;
}

/**
 * Where an adapter keeps credentials the platform rotates (OAuth refresh tokens, XRPC sessions): sealed in the
 * channel's store row, so a restart resumes with the newest ones. `load` reads what is stored now (another
 * process may have rotated them); `save` merges the given fields into the stored credentials.
 */
export interface CredentialStore {
  load(): Promise<Record<string, unknown>>;
  save(patch: Record<string, unknown>): Promise<void>;
}

/** Services an adapter may need beyond its own settings: web chat's mailbox is Parley's own store. */
export interface AdapterContext {
  chatMailbox?: ChatMailbox;
  /** The guarded fetch (platform/guarded-http.ts) for requests to user-chosen URLs, built from the private allow-list. */
  fetch?: typeof fetch;
  /** The same guard for WebSocket connections (options for `ws`); throws for a refused IP literal. */
  socketOptions?: (url: string) => GuardedSocketOptions;
}

/** Builds an adapter from a channel's stored config and decrypted credentials. */
export type AdapterFactory = (channel: {
  id: string;
  platform: Platform;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
  ownAccountIds: string[];
  /** Absent in tests that build an adapter alone: rotated credentials then live only in memory. */
  credentialStore?: CredentialStore;
}, context?: AdapterContext) => ChannelAdapter;
