import { createHmac } from 'node:crypto';
import type { WebhookRequest } from '../port.js';
import { hmacSha256 } from '../shared/hmac.js';
import { asRecord, asString } from '../shared/json.js';
import { sendCanned, startFakeHttpServer } from '../shared/fake-http.js';
import { parseMultipart } from '../shared/fake-multipart.js';
import type { CannedResponse } from '../shared/fake-http.js';
import { nextFakeMetaId } from './fake-payloads.js';

export interface MetaFakeOptions {
  accessToken?: string;
  appSecret?: string;
  verifyToken?: string;
  /** Require appsecret_proof on every call, like an app with "Require App Secret". */
  requireProof?: boolean;
}

export interface MetaSentRecord {
  path: string;
  body: Record<string, unknown>;
  id: string;
}

export interface MetaFakeServer {
  url: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  sent: MetaSentRecord[];
  /** WhatsApp media uploaded through POST /{phone-number-id}/media. */
  whatsappMedia: { id: string; phoneNumberId: string; type: string; filename: string; contentType: string; bytes: Buffer }[];
  /** Comments the Graph API returns for `mentioned_comment.comment_id(ID)`. */
  mentionedComments: Map<string, { id: string; text: string; username: string; timestamp: string; mediaId: string }>;
  /** Percentage reported in X-App-Usage on every response. */
  usagePercent: number;
  /** Instagram-Login token refreshes answered (GET /refresh_access_token), oldest first: the tokens presented. */
  tokenRefreshes: string[];
  failNext(pathFragment: string, response: CannedResponse): void;
  signedDelivery(payload: unknown): WebhookRequest;
  handshake(verifyToken: string, challenge: string): WebhookRequest;
  close(): Promise<void>;
}

const graphError = (code: number, message: string, subcode?: number): CannedResponse => ({
  status: code === 190 ? 401 : 400,
  body: { error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'AbCdEf' } },
});

/** A local Graph API fake (Pages, Messenger, Instagram, WhatsApp messages) plus a signed webhook driver. */
export async function startMetaFakeServer(options: MetaFakeOptions = {}): Promise<MetaFakeServer> {
  const accessToken = options.accessToken ?? 'page-access-token';
  const appSecret = options.appSecret ?? 'app-secret';
  const verifyToken = options.verifyToken ?? 'verify-token';
  const sent: MetaSentRecord[] = [];
  const whatsappMedia: MetaFakeServer['whatsappMedia'] = [];
  const failures: { fragment: string; response: CannedResponse }[] = [];
  const mentionedComments: MetaFakeServer['mentionedComments'] = new Map();
  const answeredComments = new Set<string>();
  const state = { usagePercent: 3 };
  // Refreshed Instagram-Login tokens join the original; the old ones stay valid until they expire, as on Instagram.
  const validTokens = new Set([accessToken]);
  const tokenRefreshes: string[] = [];

  const http = await startFakeHttpServer(async (req, res) => {
    const usage = JSON.stringify({ call_count: state.usagePercent, total_cputime: 1, total_time: 1 });
    const reply = (canned: CannedResponse) => sendCanned(res, { ...canned, headers: { 'x-app-usage': usage, ...canned.headers } });
    const index = failures.findIndex((f) => req.path.includes(f.fragment));
    if (index >= 0) return reply(failures.splice(index, 1)[0]!.response);
    if (req.path === '/refresh_access_token' && req.method === 'GET') {
      const presented = req.query.get('access_token') ?? '';
      if (req.query.get('grant_type') !== 'ig_refresh_token' || !validTokens.has(presented)) return reply(graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
      tokenRefreshes.push(presented);
      const fresh = `IGQ-refreshed-${tokenRefreshes.length}`;
      validTokens.add(fresh);
      return reply({ status: 200, body: { access_token: fresh, token_type: 'bearer', expires_in: 5183944 } });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!validTokens.has(bearer)) return reply(graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
    if (options.requireProof && req.query.get('appsecret_proof') !== hmacSha256(appSecret, bearer, 'hex')) {
      return reply(graphError(100, 'Invalid appsecret_proof provided in the API argument'));
    }
    const match = /^\/v\d+\.\d+\/([^/]+)(?:\/([a-z_]+))?$/.exec(req.path);
    if (!match) return reply({ status: 404, body: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } } });
    const [, node = '', edge] = match;
    const body = asRecord(req.json) ?? {};
    if (req.method === 'GET' && !edge) {
      const fields = req.query.get('fields') ?? '';
      const mention = /mentioned_comment\.comment_id\(([^)]+)\)/.exec(fields);
      if (mention) {
        const comment = mentionedComments.get(mention[1] ?? '');
        if (!comment) return reply(graphError(100, 'Unsupported get request. Object does not exist'));
        return reply({ status: 200, body: { mentioned_comment: { id: comment.id, text: comment.text, username: comment.username, timestamp: comment.timestamp, media: { id: comment.mediaId } }, id: node } });
      }
      return reply({ status: 200, body: { id: node, name: 'Acme', username: 'acme' } });
    }
    if (req.method === 'POST' && (edge === 'comments' || edge === 'replies')) {
      const id = `${node.split('_')[0]}_${nextFakeMetaId()}`;
      sent.push({ path: req.path, body, id });
      return reply({ status: 200, body: { id } });
    }
    // WhatsApp Cloud API media upload: multipart with messaging_product=whatsapp, type (MIME) and the file.
    if (req.method === 'POST' && edge === 'media') {
      const form = await parseMultipart(req.body, req.headers['content-type']).catch(() => null);
      const file = form?.files.find((f) => f.name === 'file');
      if (!form || !file || form.fields.messaging_product !== 'whatsapp' || !form.fields.type) return reply(graphError(100, 'Param file, type and messaging_product are required'));
      if (form.fields.type !== file.contentType) return reply(graphError(131053, `Media upload error: type ${form.fields.type} does not match the file (${file.contentType})`));
      const id = nextFakeMetaId();
      whatsappMedia.push({ id, phoneNumberId: node, type: form.fields.type, filename: file.filename, contentType: file.contentType, bytes: file.bytes });
      return reply({ status: 200, body: { id } });
    }
    if (req.method === 'POST' && edge === 'messages') {
      if (body.messaging_product === 'whatsapp') {
        const kind = asString(body.type);
        if (kind === 'image' || kind === 'video' || kind === 'document') {
          const mediaId = asString(asRecord(body[kind])?.id);
          if (!whatsappMedia.some((m) => m.id === mediaId && m.phoneNumberId === node)) return reply(graphError(131053, `Media upload error: unknown media id ${String(mediaId)}`));
        }
        const id = `wamid.${Buffer.from(nextFakeMetaId()).toString('base64')}`;
        sent.push({ path: req.path, body, id });
        const to = asString(body.to) ?? '';
        return reply({ status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] } });
      }
      const recipient = asRecord(body.recipient);
      const commentId = asString(recipient?.comment_id);
      if (commentId) {
        if (answeredComments.has(commentId)) return reply(graphError(10900, 'Activity already replied to'));
        answeredComments.add(commentId);
      }
      const id = `m_${nextFakeMetaId()}`;
      sent.push({ path: req.path, body, id });
      return reply({ status: 200, body: { recipient_id: asString(recipient?.id) ?? 'PSID_FROM_COMMENT', message_id: id } });
    }
    return reply({ status: 400, body: { error: { message: `Unsupported ${req.method} request`, type: 'GraphMethodException', code: 100 } } });
  });

  return {
    url: http.url,
    accessToken,
    tokenRefreshes,
    appSecret,
    verifyToken,
    sent,
    whatsappMedia,
    mentionedComments,
    get usagePercent() {
      return state.usagePercent;
    },
    set usagePercent(value: number) {
      state.usagePercent = value;
    },
    failNext(fragment, response) {
      failures.push({ fragment, response });
    },
    signedDelivery(payload) {
      // Meta escapes non-ASCII and slashes, so the bytes differ from JSON.stringify's: sign what is sent.
      const text = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/');
      const rawBody = Buffer.from(text);
      return {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${hmacSha256(appSecret, rawBody, 'hex')}`,
          'x-hub-signature': `sha1=${createSha1(appSecret, rawBody)}`,
        },
        query: {},
        rawBody,
      };
    },
    handshake(token, challenge) {
      return { method: 'GET', headers: {}, query: { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': challenge }, rawBody: Buffer.alloc(0) };
    },
    close: () => http.close(),
  };
}

function createSha1(secret: string, body: Buffer): string {
  return createHmac('sha1', secret).update(body).digest('hex');
}
