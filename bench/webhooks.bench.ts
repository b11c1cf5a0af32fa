/** Push-webhook throughput per platform: signature check over the raw body, mapping, and envelopeSchema parse. */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { envelopeSchema } from '../src/shared/envelope.js';
import type { ChannelAdapter, WebhookRequest } from '../src/server/connectors/port.js';
import { createXAdapter } from '../src/server/connectors/x/x.connector.js';
import { createFacebookAdapter } from '../src/server/connectors/meta/facebook.connector.js';
import { createInstagramAdapter } from '../src/server/connectors/meta/instagram.connector.js';
import { createWhatsAppAdapter } from '../src/server/connectors/whatsapp/whatsapp.connector.js';
import { say } from './support/complaints.js';
import type { BenchModule } from './types.js';

const secret = 'bench-app-secret';

function signed(payload: unknown, header: string, encoding: 'hex' | 'base64'): WebhookRequest {
  const rawBody = Buffer.from(JSON.stringify(payload));
  const signature = `sha256=${createHmac('sha256', secret).update(rawBody).digest(encoding)}`;
  return { method: 'POST', headers: { 'content-type': 'application/json', [header]: signature }, query: {}, rawBody };
}

const channel = (platform: 'x' | 'facebook' | 'instagram' | 'whatsapp', config: Record<string, unknown>, credentials: Record<string, unknown>) => ({
  id: `ch-${platform}`,
  platform,
  config,
  credentials,
  ownAccountIds: [],
});

function xDeliveries(count: number): WebhookRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const id = String(1_900_000_000_000_000_000n + BigInt(i));
    const tweet = {
      id_str: id, text: `@acme ${say(i)}`, truncated: false, in_reply_to_status_id_str: i % 3 === 0 ? '1899999999999999999' : null,
      user: { id_str: String(10_000 + (i % 700)), screen_name: `cust${i % 700}`, name: `Customer ${i % 700}`, followers_count: i % 5000 },
      entities: { user_mentions: [{ id_str: '2244994945', screen_name: 'acme' }], urls: [], hashtags: [] }, timestamp_ms: String(1_764_000_000_000 + i),
    };
    return signed({ for_user_id: '2244994945', tweet_create_events: [tweet] }, 'x-twitter-webhooks-signature', 'base64');
  });
}

function facebookDeliveries(count: number): WebhookRequest[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % 2 === 0) {
      const value = {
        from: { id: String(7_000 + (i % 900)), name: `Fan ${i % 900}` }, post: { id: '111_222', status_type: 'added_photos', is_published: true, permalink_url: 'https://www.facebook.com/111_222' },
        message: say(i), post_id: '111_222', comment_id: `222_${i}`, parent_id: '111_222', created_time: 1_764_000_000 + i, item: 'comment', verb: 'add',
      };
      return signed({ object: 'page', entry: [{ id: '111', time: 1_764_000_000, changes: [{ field: 'feed', value }] }] }, 'x-hub-signature-256', 'hex');
    }
    const event = { sender: { id: String(8_000 + i) }, recipient: { id: '111' }, timestamp: 1_764_000_000_000 + i, message: { mid: `m_${i}`, text: say(i) } };
    return signed({ object: 'page', entry: [{ id: '111', time: 1_764_000_000_000, messaging: [event] }] }, 'x-hub-signature-256', 'hex');
  });
}

function instagramDeliveries(count: number): WebhookRequest[] {
  return Array.from({ length: count }, (_, i) => {
    if (i % 2 === 0) {
      const value = { id: `1791${i}`, text: say(i), from: { id: String(9_000 + i), username: `ig_user${i % 800}` }, media: { id: '18172143295349192', media_product_type: 'FEED' } };
      return signed({ object: 'instagram', entry: [{ id: '1784', time: 1_764_000_000, changes: [{ field: 'comments', value }] }] }, 'x-hub-signature-256', 'hex');
    }
    const event = { sender: { id: String(9_500 + i) }, recipient: { id: '1784' }, timestamp: 1_764_000_000_000 + i, message: { mid: `aWdf${i}`, text: say(i) } };
    return signed({ object: 'instagram', entry: [{ id: '1784', time: 1_764_000_000_000, messaging: [event] }] }, 'x-hub-signature-256', 'hex');
  });
}

function whatsappDeliveries(count: number): WebhookRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const from = String(16_505_550_000 + (i % 2000));
    const value = {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      contacts: [{ profile: { name: `Customer ${i % 2000}` }, wa_id: from }],
      messages: [{ from, id: `wamid.HBgL${i}`, timestamp: String(1_764_000_000 + i), type: 'text', text: { body: say(i) } }],
    };
    return signed({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value }] }] }, 'x-hub-signature-256', 'hex');
  });
}

/** Events per second through handleWebhook + envelopeSchema.parse, for up to `budgetMs` after a warm-up. */
async function throughput(adapter: ChannelAdapter, requests: WebhookRequest[], budgetMs: number): Promise<number> {
  const handle = adapter.handleWebhook;
  if (!handle) throw new Error(`${adapter.platform} has no webhook handler`);
  const once = async (request: WebhookRequest): Promise<number> => {
    const result = await handle(request);
    if (result.type !== 'events' || result.envelopes.length === 0) throw new Error(`${adapter.platform}: delivery not mapped (${result.type})`);
    for (const envelope of result.envelopes) envelopeSchema.parse(envelope);
    return result.envelopes.length;
  };
  for (let i = 0; i < Math.min(500, requests.length); i += 1) await once(requests[i] as WebhookRequest);
  let events = 0;
  const started = performance.now();
  let i = 0;
  while (performance.now() - started < budgetMs) {
    events += await once(requests[i % requests.length] as WebhookRequest);
    i += 1;
  }
  return Math.round(events / ((performance.now() - started) / 1000));
}

export const bench: BenchModule = {
  name: 'webhooks',
  keys: ['webhook_verify_map_per_s_x', 'webhook_verify_map_per_s_facebook', 'webhook_verify_map_per_s_instagram', 'webhook_verify_map_per_s_whatsapp', 'webhook_verify_map_per_s'],
  async run(ctx) {
    const budgetMs = 1000;
    const count = 5000;
    const meta = { accessToken: 'token', appSecret: secret };
    const runs: [string, ChannelAdapter, WebhookRequest[]][] = [
      ['x', createXAdapter(channel('x', { accountId: '2244994945' }, { consumerSecret: secret })), xDeliveries(count)],
      ['facebook', createFacebookAdapter(channel('facebook', { pageId: '111' }, meta)), facebookDeliveries(count)],
      ['instagram', createInstagramAdapter(channel('instagram', { igUserId: '1784' }, meta)), instagramDeliveries(count)],
      ['whatsapp', createWhatsAppAdapter(channel('whatsapp', { phoneNumberId: '106540352242922' }, meta)), whatsappDeliveries(count)],
    ];
    const figures: Record<string, number | null> = {};
    for (const [platform, adapter, requests] of runs) {
      ctx.log(`${platform}: verify signature + map + envelopeSchema.parse`);
      figures[`webhook_verify_map_per_s_${platform}`] = await throughput(adapter, requests, budgetMs);
    }
    figures.webhook_verify_map_per_s = Math.min(...runs.map(([platform]) => figures[`webhook_verify_map_per_s_${platform}`] ?? 0));
    return figures;
  },
};

// `npx tsx bench/webhooks.bench.ts` runs this module alone and prints its figures.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const tmpDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const figures = await bench.run({ sharedDataDir: null, postgresUrl: null, tmpDir, log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}
