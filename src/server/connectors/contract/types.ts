import type { Cursor, ChannelAdapter, OutboundMessage, SendResult, WebhookRequest } from '../port.js';
import type { Envelope } from '../../../shared/envelope.js';

/** Something the fake platform should produce, as the contract suite asks for it. */
export type ContractEvent =
  /** A customer writes to (or about) the brand. */
  | { type: 'message'; text: string }
  /** The customer edits a message the fake produced earlier (`of` = the externalId `publish` returned). */
  | { type: 'edit'; of: string; text: string }
  /** The customer deletes a message the fake produced earlier. */
  | { type: 'delete'; of: string }
  /** The platform echoes back a message we sent through `adapter.send`. */
  | { type: 'echo'; sent: SendResult; message: OutboundMessage };

export type InboundDriver =
  /** Push platforms: the fake signs deliveries the way the platform does and hands them over as raw requests. */
  | {
      mode: 'webhook';
      /** Signed requests for everything published since the last call (one request may batch several events). */
      takeRequests(): Promise<WebhookRequest[]> | WebhookRequest[];
      /** Lower-case header carrying the signature; the suite deletes it to test a missing signature. */
      signatureHeader: string;
      /** A valid handshake (CRC / hub.challenge) and the body the platform expects back, plus a forged one. */
      handshake?: { good: WebhookRequest; expectBody: string; bad: WebhookRequest };
    }
  /**
   * Pull platforms: the fake serves what was published through `adapter.poll`. The suite starts
   * from a null cursor and expects what the fake already holds, then keeps the returned cursor.
   */
  | { mode: 'poll' }
  /** Streaming platforms: the fake pushes what was published down `adapter.stream`. */
  | { mode: 'stream' };

export type SendFailure = 'rate-limit' | 'permanent';

export interface ContractFixture {
  /** A new adapter instance over the same channel and fake (the suite calls it again to simulate a restart). */
  createAdapter(): ChannelAdapter;
  inbound: InboundDriver;
  /** Make the fake platform produce one event; resolves to the externalId the adapter must report for it. */
  publish(event: ContractEvent): Promise<string>;
  /** Outbound messages answering an inbound envelope (a public reply and/or a private message). */
  outboundFor(envelope: Envelope): OutboundMessage[];
  /** Texts the fake received through its send endpoints, oldest first. */
  sentTexts(): Promise<string[]> | string[];
  /**
   * Make the fake fail the next send. Resolves to the retry-after the adapter should report for a
   * rate limit (read from that platform's headers), null for a permanent failure.
   */
  failNextSend(failure: SendFailure): Promise<number | null> | number | null;
  /**
   * Platforms whose access tokens lapse (X OAuth 2.0, Bluesky sessions, Reddit): make the current one expire
   * now; the adapter must refresh it and the send must still succeed. Resolves to a count of refreshes so far.
   */
  expireAccess?(): Promise<() => number> | (() => number);
  /** A fragment the permanent failure's message must contain (a reason an agent can read). */
  permanentReason: RegExp;
  supports: {
    edits: boolean;
    deletes: boolean;
    echoes: boolean;
    /** The source resumes from a saved cursor (poll, resumable streams). */
    cursor: boolean;
    /** False for a channel that cannot send at all (phone logs): the send tests do not apply. Default true. */
    sends?: boolean;
    /** False where sends go to Parley's own store (web chat): no platform limit or refusal to provoke. Default true. */
    sendFailures?: boolean;
  };
  /** Release servers and sockets. */
  close(): Promise<void>;
}

export interface Collected {
  envelopes: Envelope[];
  deletions: { channelId: string; externalId: string }[];
  cursor: Cursor;
}

export type ContractSetup = () => Promise<ContractFixture>;
