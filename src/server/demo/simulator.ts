/**
 * The living demo: a steady, seeded stream of believable traffic in each platform's wire format, mapped by the
 * real adapters' mappers and fed to ingest. Every few minutes an outage burst ("mobile data down in <city>").
 */
import type { Envelope } from '../../shared/envelope.js';
import { mapMastodonStatus } from '../connectors/mastodon/map.js';
import { mapRedditThing } from '../connectors/reddit/map.js';
import { mapXV2StreamLine } from '../connectors/x/map.js';
import { feedbackEnvelope } from '../connectors/feedback/map.js';
import { mapPhoneEvent } from '../connectors/phone/map.js';
import { chatEnvelope } from '../connectors/webchat/webchat.connector.js';
import type { Clock } from '../platform/clock.js';
import { parseRawEmailToEnvelope } from './email-envelope.js';
import { createRandom, type Random } from './random.js';
import { demoAccounts, type DemoChannels } from './seed.js';
import { cities, personName, sayFollowUp, sayText, type TopicKind } from './templates.js';
import { mastodonStatus, rawEmail, redditThing, xSnowflake, xStreamLine, type XUserSpec } from './wire.js';

type SimPlatform = 'x' | 'email' | 'reddit' | 'mastodon' | 'chat' | 'form' | 'phone';

interface Persona extends XUserSpec {
  email: string;
  /** A fictional North American number (555-01xx). */
  phone: string;
}

/** An open conversation the same customer may come back to. */
interface Thread {
  platform: SimPlatform;
  persona: Persona;
  rootId: string;
  lastId: string;
  subject: string;
  references: string[];
}

export interface SimulatorOptions {
  ingest(envelopes: Envelope[]): Promise<unknown>;
  channels: DemoChannels;
  clock: Clock;
  seed?: number;
  /** Messages per second outside bursts (default 2). */
  ratePerSecond?: number;
  /** Time between outage bursts (default 4 minutes); the first comes after a third of that. */
  outageEveryMs?: number;
  outageDurationMs?: number;
  onError?(error: unknown): void;
}

const topicWeights: [TopicKind, number][] = [['question', 30], ['complaint', 30], ['praise', 10], ['promo', 12], ['spam', 8]];
const platformWeights: [SimPlatform, number][] = [['x', 50], ['email', 20], ['reddit', 15], ['mastodon', 15], ['chat', 8], ['form', 4], ['phone', 5]];

const weighted = <T>(random: Random, items: readonly [T, number][]): T => {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = random.next() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return (items[items.length - 1] as [T, number])[0];
};

export const createDemoSimulator = (options: SimulatorOptions) => {
  const { channels, clock } = options;
  const random = createRandom(options.seed ?? 20261123);
  const rate = options.ratePerSecond ?? 2;
  const outageEvery = options.outageEveryMs ?? 4 * 60_000;
  const outageDuration = options.outageDurationMs ?? 90_000;
  const startedAt = clock.now();
  const personas: Persona[] = [];
  const threads: Thread[] = [];
  let counter = 0;
  // Private channels join only where the workspace has them (a demo seeded before them has not).
  const weights = platformWeights.filter(([p]) => !['chat', 'form', 'phone'].includes(p) || channels[p as 'chat' | 'form' | 'phone']);

  const persona = (): Persona => {
    if (personas.length > 40 && random.chance(0.35)) return random.pick(personas);
    const { first, last } = personName(random);
    counter += 1;
    // About one author in fifty is a very large account: reach matters to priority.
    const big = random.chance(0.02);
    const handle = `${first}${random.chance(0.5) ? last : ''}${random.int(1, 999)}`.normalize('NFD').replace(/[^A-Za-z0-9]/g, '');
    const p: Persona = { id: String(1_600_000_000_000_000_000n + BigInt(counter) * 7919n), username: handle, name: `${first} ${last}`, followers: big ? random.int(250_000, 3_000_000) : Math.floor(random.next() ** 3 * 5000), verified: big, email: `${handle.toLowerCase()}@mail.example`, phone: `+1415555${String(100 + (counter % 100)).padStart(4, '0')}` };
    personas.push(p);
    return p;
  };

  const outageCity = (now: number): string | null => {
    const since = now - startedAt - outageEvery / 3;
    if (since < 0 || since % outageEvery > outageDuration) return null;
    return cities[Math.floor(since / outageEvery) % cities.length] ?? null;
  };

  const emit = async (platform: SimPlatform, who: Persona, text: string, at: number, parent: Thread | null): Promise<{ envelope: Envelope | null; id: string }> => {
    switch (platform) {
      case 'x': {
        const id = xSnowflake(at);
        const line = xStreamLine({ id, text, author: who, at, brand: demoAccounts.x, ...(parent ? { conversationId: parent.rootId, replyTo: { id: parent.lastId, userId: who.id } } : {}) });
        return { envelope: mapXV2StreamLine(line, channels.x, { ownUserIds: [demoAccounts.x.id] }), id };
      }
      case 'reddit': {
        const id = (at.toString(36) + (++counter).toString(36)).slice(-9);
        const thing = parent ? redditThing({ id, author: who.username, at, subreddit: 'AcmeTelecom', body: text, linkId: parent.rootId, parentId: parent.lastId }) : redditThing({ id, author: who.username, at, subreddit: 'AcmeTelecom', title: text.slice(0, 70), body: text });
        return { envelope: mapRedditThing(thing, channels.reddit, { ownAccountIds: [demoAccounts.reddit.id, demoAccounts.reddit.username] }), id: parent ? `t1_${id}` : `t3_${id}` };
      }
      case 'mastodon': {
        const id = String(110_000_000_000_000_000n + BigInt(at) * 1000n + BigInt(++counter % 1000));
        const status = mastodonStatus({ id, at, text, account: { id: who.id, acct: `${who.username.toLowerCase()}@mastodon.example`, displayName: who.name, followers: who.followers }, brandAcct: demoAccounts.mastodon.acct, ...(parent ? { inReplyTo: parent.lastId } : {}) });
        return { envelope: mapMastodonStatus(status, channels.mastodon, { ownAccountIds: [demoAccounts.mastodon.id] }), id };
      }
      case 'email': {
        const id = `<${at.toString(36)}.${++counter}@mail.example>`;
        const subject = parent ? `Re: ${parent.subject}` : text.split(/[.?!,]/)[0]?.slice(0, 60) || 'Question';
        const body = `Hi Acme,\n\n${text}\n\nThanks,\n${who.name}`;
        const raw = rawEmail({ messageId: id, from: { name: who.name, address: who.email }, to: demoAccounts.email.address, subject, body, at, ...(parent ? { inReplyTo: parent.lastId, references: [...parent.references, parent.lastId] } : {}) });
        return { envelope: await parseRawEmailToEnvelope(raw, channels.email), id };
      }
      case 'chat': {
        // A visitor id is 22 base64url characters, as the widget's signed tokens carry.
        const visitorId = Buffer.from(`demo-visitor-${who.id}`).toString('base64url').slice(-22).padStart(22, 'v');
        const id = `${visitorId}.${(++counter).toString(36)}`;
        return { envelope: chatEnvelope({ id, channelId: channels.chat as string, visitorId, direction: 'in', externalId: id, text, displayName: random.chance(0.5) ? who.name : null, pageUrl: 'https://www.acmetelecom.example/support', createdAt: at }), id };
      }
      case 'form': {
        const id = `${at.toString(36)}${(++counter).toString(36)}`;
        const envelope = feedbackEnvelope({ channelId: channels.form as string, submissionId: id, name: who.name, email: who.email, topic: random.pick(['Question', 'Problem with an order', 'Billing', 'Complaint']), message: text, pageUrl: null, createdAt: at });
        return { envelope, id: envelope.externalId };
      }
      case 'phone': {
        const callId = `demo-${at.toString(36)}-${++counter}`;
        const envelope = mapPhoneEvent({ type: 'voicemail', callId, from: who.phone, callerName: who.name, recordedAt: new Date(at).toISOString(), durationSeconds: 15 + (counter % 60), transcript: text }, { channelId: channels.phone as string, callerIdVerified: false });
        return { envelope, id: `voicemail:${callId}` };
      }
    }
  };

  /** One simulated event: a follow-up in an open thread or a new conversation. */
  const generateOne = async (now: number): Promise<Envelope | null> => {
    const city = outageCity(now);
    if (threads.length > 0 && random.chance(0.2)) {
      const thread = threads[random.int(0, threads.length - 1)] as Thread;
      const { envelope, id } = await emit(thread.platform, thread.persona, sayFollowUp(random), now, thread);
      if (thread.platform === 'email') thread.references.push(thread.lastId);
      thread.lastId = id;
      return envelope;
    }
    const kind: TopicKind = city && random.chance(0.7) ? 'outage' : weighted(random, topicWeights);
    const platform = kind === 'outage' && random.chance(0.6) ? 'x' : weighted(random, weights);
    const who = persona();
    const text = sayText(kind, random, city ? { city } : {});
    const { envelope, id } = await emit(platform, who, text, now, null);
    // A form submission is its own conversation: nobody follows up on the same one.
    if (kind !== 'spam' && platform !== 'form') {
      threads.push({ platform, persona: who, rootId: id, lastId: id, subject: envelope?.subject ?? text.slice(0, 60), references: [] });
      if (threads.length > 200) threads.shift();
    }
    return envelope;
  };

  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let total = 0;

  const tick = async (): Promise<number> => {
    const now = clock.now();
    const count = outageCity(now) ? 3 : 1;
    const batch: Envelope[] = [];
    for (let i = 0; i < count; i += 1) {
      const e = await generateOne(now + i);
      if (e) batch.push(e);
    }
    if (batch.length) await options.ingest(batch);
    total += batch.length;
    return batch.length;
  };

  const schedule = (): void => {
    // Poisson-ish spacing around the mean interval keeps the stream from looking mechanical.
    const delay = (1000 / rate) * (0.4 + random.next() * 1.2);
    timer = setTimeout(() => {
      inFlight = tick().then(
        () => undefined,
        (error: unknown) => options.onError?.(error),
      );
      void inFlight.then(() => {
        if (timer) schedule();
      });
    }, delay);
  };

  return {
    /** Generates and ingests one step now; returns the number of messages ingested. */
    tick,
    start(): void {
      if (!timer) schedule();
    },
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
    get total(): number {
      return total;
    },
    outageCity,
  };
};

export type DemoSimulator = ReturnType<typeof createDemoSimulator>;
