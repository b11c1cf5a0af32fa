import { ImapFlow } from 'imapflow';
import type { Envelope } from '../../../shared/envelope.js';
import { ConnectorError } from '../port.js';
import type { Cursor, PollResult, StreamSink } from '../port.js';
import { asNumber, asRecord, asString } from '../shared/json.js';
import { parseRawEmail } from './parse.js';

export interface ImapOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  channelId: string;
  ownAddresses: readonly string[];
  /** Message-IDs we sent, skipped if a copy lands in the watched mailbox. */
  sentIds: ReadonlySet<string>;
  /** IDLE starts after this much inactivity; imapflow's default is 15 s. */
  idleDelayMs?: number;
  reconnectBaseMs?: number;
  /** Largest number of messages taken in one fetch round. */
  batchSize?: number;
}

/** `(mailbox, UIDVALIDITY, UID)` of the last message handed over. */
export interface ImapCursor {
  uidValidity: string;
  uid: number;
}

export function parseImapCursor(cursor: Cursor): ImapCursor | null {
  try {
    const value = asRecord(cursor ? (JSON.parse(cursor) as unknown) : null);
    const uidValidity = asString(value?.uidValidity);
    const uid = asNumber(value?.uid);
    return uidValidity && uid !== null ? { uidValidity, uid } : null;
  } catch {
    return null;
  }
}

function imapError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = asRecord(error);
  const message = error instanceof Error ? error.message : String(error);
  if (e?.authenticationFailed === true || /AUTHENTICATIONFAILED|Invalid credentials/i.test(`${asString(e?.serverResponseCode) ?? ''} ${message}`)) {
    return new ConnectorError('The IMAP server refused the username or password', false, null, 'imap_auth');
  }
  if (/mailbox.*(doesn't|does not) exist|NONEXISTENT/i.test(`${asString(e?.responseText) ?? ''} ${message}`)) {
    return new ConnectorError(`The IMAP mailbox does not exist: ${message}`, false, null, 'imap_mailbox');
  }
  return new ConnectorError(`IMAP failed: ${message}`, true, 30_000, asString(e?.code) ?? 'imap');
}

function newClient(options: ImapOptions): ImapFlow {
  return new ImapFlow({
    host: options.host,
    port: options.port,
    secure: options.secure,
    auth: { user: options.user, pass: options.password },
    logger: false,
    autoIdleDelay: options.idleDelayMs ?? 15_000,
    // Plain IMAP on a private network or in tests: never upgrade to STARTTLS unless the server insists.
    doSTARTTLS: options.secure ? undefined : false,
  } as ConstructorParameters<typeof ImapFlow>[0]);
}

/**
 * Fetches up to `batchSize` messages after the cursor in the open mailbox, oldest first. A changed UIDVALIDITY
 * restarts from UID 0; Message-ID dedupe downstream absorbs the repeats. UIDs are listed first (UID SEARCH) so a
 * large backlog is downloaded one batch at a time instead of all at once.
 */
async function fetchSince(client: ImapFlow, options: ImapOptions, cursor: ImapCursor | null): Promise<{ envelopes: Envelope[]; cursor: ImapCursor; more: boolean }> {
  const mailbox = client.mailbox;
  if (!mailbox) throw new ConnectorError('IMAP mailbox is not open', true, 5000, 'imap_state');
  const uidValidity = String(mailbox.uidValidity);
  let lastUid = cursor && cursor.uidValidity === uidValidity ? cursor.uid : 0;
  const envelopes: Envelope[] = [];
  if (mailbox.exists === 0) return { envelopes, cursor: { uidValidity, uid: lastUid }, more: false };
  const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
  // `N:*` always matches the highest message even when N is past it.
  const pending = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
  const batch = pending.slice(0, options.batchSize ?? 200);
  if (batch.length === 0) return { envelopes, cursor: { uidValidity, uid: lastUid }, more: false };
  const messages: { uid: number; source: Buffer }[] = [];
  for await (const message of client.fetch(batch.join(','), { uid: true, source: true }, { uid: true })) {
    if (message.source) messages.push({ uid: message.uid, source: message.source });
  }
  messages.sort((a, b) => a.uid - b.uid);
  for (const message of messages) {
    const envelope = await parseRawEmail(message.source, options.channelId, { ownAddresses: options.ownAddresses, uid: message.uid });
    if (envelope && !options.sentIds.has(envelope.externalId)) envelopes.push(envelope);
  }
  // A message expunged between SEARCH and FETCH is simply passed over.
  lastUid = batch[batch.length - 1] ?? lastUid;
  return { envelopes, cursor: { uidValidity, uid: lastUid }, more: pending.length > batch.length };
}

export async function pollImap(options: ImapOptions, cursor: Cursor): Promise<PollResult> {
  const client = newClient(options);
  try {
    await client.connect();
    await client.mailboxOpen(options.mailbox, { readOnly: true });
    const result = await fetchSince(client, options, parseImapCursor(cursor));
    return { envelopes: result.envelopes, deletions: [], cursor: JSON.stringify(result.cursor) };
  } catch (error) {
    throw imapError(error);
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Logs in and opens the mailbox: a credentials check without reading mail. */
export async function checkImap(options: ImapOptions): Promise<void> {
  const client = newClient(options);
  try {
    await client.connect();
    await client.mailboxOpen(options.mailbox, { readOnly: true });
  } catch (error) {
    throw imapError(error);
  } finally {
    await client.logout().catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** IDLE on the mailbox: fetch after the cursor, then wait for EXISTS; reconnect with backoff when the server drops us. */
export async function streamImap(options: ImapOptions, sink: StreamSink, initial: Cursor, signal: AbortSignal): Promise<void> {
  let cursor = parseImapCursor(initial);
  let failures = 0;
  while (!signal.aborted) {
    const client = newClient(options);
    let woke: (() => void) | null = null;
    let dirty = false;
    let closed = false;
    const wake = () => {
      dirty = true;
      woke?.();
    };
    client.on('exists', wake);
    client.on('close', () => {
      closed = true;
      woke?.();
    });
    client.on('error', () => undefined);
    const onAbort = () => woke?.();
    signal.addEventListener('abort', onAbort);
    try {
      await client.connect();
      await client.mailboxOpen(options.mailbox, { readOnly: true });
      sink.health({ type: 'connected' });
      failures = 0;
      while (!signal.aborted && !closed) {
        dirty = false;
        const result = await fetchSince(client, options, cursor);
        const moved = !cursor || result.cursor.uid !== cursor.uid || result.cursor.uidValidity !== cursor.uidValidity;
        if (result.envelopes.length > 0 || moved) await sink.deliver(result.envelopes, [], JSON.stringify(result.cursor));
        cursor = result.cursor;
        if (result.more) dirty = true;
        if (dirty || signal.aborted || closed) continue;
        await new Promise<void>((resolve) => {
          woke = resolve;
        });
        woke = null;
      }
    } catch (error) {
      const mapped = imapError(error);
      sink.health({ type: 'error', detail: mapped.message });
      if (!mapped.retryable) {
        signal.removeEventListener('abort', onAbort);
        await client.logout().catch(() => undefined);
        throw mapped;
      }
      failures++;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (!closed) await client.logout().catch(() => undefined);
    sink.health({ type: 'disconnected' });
    if (!signal.aborted) await sleep(Math.min(60_000, (options.reconnectBaseMs ?? 1000) * 2 ** failures), signal);
  }
}
