/**
 * Webhook verify + map + ingest through the real route: signed deliveries posted with app.http.inject to
 * /webhooks/<platform>/<channelId>, checked by the channel's adapter over the raw bytes, mapped, and ingested
 * into a file-backed SQLite store (deduplicated, persisted, pipeline job enqueued) before the 200.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, type ParleyApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { createLogger } from '../src/server/platform/logger.js';
import { systemActor } from '../src/shared/permissions.js';
import { signPhoneDelivery } from '../src/server/connectors/phone/phone.connector.js';
import { say } from './support/complaints.js';
import type { BenchModule } from './types.js';

const secret = 'bench-app-secret';
const phoneSecret = `${secret}-phone-line`;
const platforms = ['x', 'facebook', 'instagram', 'whatsapp', 'phone'] as const;
type BenchPlatform = (typeof platforms)[number];
/** Deliveries in flight at once, as a platform retrying and fanning out would send them. */
const concurrency = 16;


interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
}

const sign = (payload: unknown, header: string, encoding: 'hex' | 'base64'): Delivery => {
  const body = Buffer.from(JSON.stringify(payload));
  return { body, headers: { 'content-type': 'application/json', [header]: `sha256=${createHmac('sha256', secret).update(body).digest(encoding)}` } };
};

/** One new event per delivery, each with a unique platform id so every one is a fresh insert. */
const delivery = (platform: BenchPlatform, i: number, run: number): Delivery => {
  const n = run * 1_000_000 + i;
  const at = 1_764_000_000 + i;
  switch (platform) {
    case 'x':
      return sign({
        for_user_id: '2244994945',
        tweet_create_events: [{
          id_str: String(1_900_000_000_000_000_000n + BigInt(n)), text: `@acme ${say(i)}`, truncated: false, in_reply_to_status_id_str: null,
          user: { id_str: String(10_000 + (i % 700)), screen_name: `cust${i % 700}`, name: `Customer ${i % 700}`, followers_count: i % 5000 },
          entities: { user_mentions: [{ id_str: '2244994945', screen_name: 'acme' }], urls: [], hashtags: [] }, timestamp_ms: String(at * 1000),
        }],
      }, 'x-twitter-webhooks-signature', 'base64');
    case 'facebook': {
      const value = { from: { id: String(7_000 + (i % 900)), name: `Fan ${i % 900}` }, post: { id: '111_222', status_type: 'added_photos', is_published: true, permalink_url: 'https://www.facebook.com/111_222' }, message: say(i), post_id: '111_222', comment_id: `222_${n}`, parent_id: '111_222', created_time: at, item: 'comment', verb: 'add' };
      return sign({ object: 'page', entry: [{ id: '111', time: at, changes: [{ field: 'feed', value }] }] }, 'x-hub-signature-256', 'hex');
    }
    case 'instagram': {
      const event = { sender: { id: String(9_500 + (i % 800)) }, recipient: { id: '1784' }, timestamp: at * 1000, message: { mid: `aWdf${n}`, text: say(i) } };
      return sign({ object: 'instagram', entry: [{ id: '1784', time: at * 1000, messaging: [event] }] }, 'x-hub-signature-256', 'hex');
    }
    case 'whatsapp': {
      const from = String(16_505_550_000 + (i % 2000));
      const value = { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, contacts: [{ profile: { name: `Customer ${i % 2000}` }, wa_id: from }], messages: [{ from, id: `wamid.HBgL${n}`, timestamp: String(at), type: 'text', text: { body: say(i) } }] };
      return sign({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }] }, 'x-hub-signature-256', 'hex');
    }
    case 'phone': {
      // Timestamped now: the phone adapter refuses deliveries outside its replay window.
      const body = Buffer.from(JSON.stringify({ type: 'voicemail', callId: `c${n}`, from: `+1650555${String(1000 + (i % 2000)).padStart(4, '0')}`, recordedAt: new Date(at * 1000).toISOString(), durationSeconds: 20, transcript: say(i) }));
      const timestamp = Math.floor(Date.now() / 1000);
      return { body, headers: { 'content-type': 'application/json', 'x-parley-timestamp': String(timestamp), 'x-parley-signature': signPhoneDelivery(phoneSecret, timestamp, body) } };
    }
  }
};

const channelSettings: Record<BenchPlatform, { config: Record<string, unknown>; credentials: Record<string, unknown> }> = {
  x: { config: { accountId: '2244994945', ingest: 'webhook' }, credentials: { consumerSecret: secret } },
  facebook: { config: { pageId: '111' }, credentials: { accessToken: 'token', appSecret: secret } },
  instagram: { config: { igUserId: '1784' }, credentials: { accessToken: 'token', appSecret: secret } },
  whatsapp: { config: { phoneNumberId: '106540352242922' }, credentials: { accessToken: 'token', appSecret: secret } },
  phone: { config: { defaultCountry: 'US' }, credentials: { signingSecret: phoneSecret } },
};

/** Events stored per second for `budgetMs`, `concurrency` deliveries in flight; every answer must be a 200 with one accepted event. */
async function measure(app: ParleyApp, platform: BenchPlatform, channelId: string, budgetMs: number, run: number): Promise<{ rate: number; count: number }> {
  const url = `/webhooks/${platform}/${channelId}`;
  let next = 0;
  let events = 0;
  const post = async (i: number): Promise<void> => {
    const d = delivery(platform, i, run);
    const res = await app.http.inject({ method: 'POST', url, headers: d.headers, payload: d.body });
    if (res.statusCode !== 200) throw new Error(`${platform}: ${res.statusCode} ${res.body}`);
    events += res.json<{ events: number }>().events;
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() - started < budgetMs) await post((next += 1));
  }));
  const seconds = (performance.now() - started) / 1000;
  if (events !== next) throw new Error(`${platform}: ${next} deliveries but ${events} events mapped`);
  return { rate: Math.round(events / seconds), count: next };
}

export const bench: BenchModule = {
  name: 'webhook-ingest',
  keys: [...platforms.map((p) => `webhook_events_per_s_${p}`), 'webhook_events_per_s'],
  async run(ctx) {
    const config = loadConfig({ PARLEY_DATA_DIR: ctx.tmpDir, LOG_LEVEL: 'silent', PORT: '0' });
    const app = await createApp({ config, logger: createLogger('silent'), serveSpa: false });
    try {
      const figures: Record<string, number | null> = {};
      const channels = new Map<BenchPlatform, string>();
      const delivered = new Map<BenchPlatform, number>();
      for (const platform of platforms) {
        const { config: channelConfig, credentials } = channelSettings[platform];
        channels.set(platform, (await app.services.channels.create({ platform, name: `bench ${platform}`, config: channelConfig, credentials }, systemActor('bench'))).id);
      }
      // Steady state, as a server that has been up a while: every platform's path is warmed before any is measured
      // (otherwise the first platform measured pays for compiling the shared route, verify and ingest code).
      for (const platform of platforms) delivered.set(platform, (await measure(app, platform, channels.get(platform)!, 1000, 0)).count);
      for (const platform of platforms) {
        const channelId = channels.get(platform)!;
        // Best of three short windows: the machine is shared and single windows swing.
        let best = 0;
        for (let run = 1; run <= 3; run += 1) {
          const window = await measure(app, platform, channelId, 1000, run);
          delivered.set(platform, (delivered.get(platform) ?? 0) + window.count);
          best = Math.max(best, window.rate);
        }
        // Every 200 means stored: the store must hold one row per delivery of every window.
        const stored = await app.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channelId).executeTakeFirstOrThrow();
        if (Number(stored.n) !== delivered.get(platform)) throw new Error(`${platform}: ${delivered.get(platform)} deliveries acknowledged but ${String(stored.n)} stored`);
        figures[`webhook_events_per_s_${platform}`] = best;
        ctx.log(`${platform}: ${best} events/s (verify + map + ingest through the route)`);
      }
      figures.webhook_events_per_s = Math.min(...platforms.map((p) => figures[`webhook_events_per_s_${p}`] ?? 0));
      return figures;
    } finally {
      await app.stop();
    }
  },
};

// `npx tsx bench/webhook-ingest.bench.ts` runs this module alone and prints its figures.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const tmpDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const figures = await bench.run({ sharedDataDir: null, postgresUrl: null, tmpDir, log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
