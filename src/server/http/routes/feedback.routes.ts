import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, isAppError } from '../../platform/errors.js';
import type { FeedbackInput, FeedbackService } from '../../services/feedback.service.js';
import { escapeHtml, publicPageCsp, renderPage } from '../../trust/html.js';
import type { App } from '../types.js';

const params = z.strictObject({ channelId: z.string().min(1).max(64).regex(/^[\w-]+$/) });
const embedQuery = z.strictObject({ embed: z.enum(['1']).optional() });
const submitLimit = { max: 10, timeWindow: '10 minutes' };
const fields = z.object({ name: z.string().max(120).optional(), email: z.string().max(320).optional(), topic: z.string().max(80), message: z.string().max(20_000), pageUrl: z.string().max(2000).optional() });

type Form = Awaited<ReturnType<FeedbackService['formFor']>>;

/** Strict page CSP; an embedded form may be framed by the channel's allowed origins only. */
const page = (reply: FastifyReply, status: number, form: Form, embed: boolean, body: string) => {
  const csp = embed && form.config.allowedOrigins.length > 0 ? publicPageCsp.replace("frame-ancestors 'none'", `frame-ancestors ${form.config.allowedOrigins.join(' ')}`) : publicPageCsp;
  if (embed) reply.removeHeader('x-frame-options');
  return reply.code(status).header('content-security-policy', csp).header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(renderPage(form.config.title, body));
};

const replyNotice = (form: Form): string =>
  form.canReply
    ? '<p>We answer by email, at the address you give below.</p>'
    : '<p class="bad"><strong>Please note:</strong> we cannot reply through this form. Leave your message for us; if you need an answer, reach us another way as well.</p>';

const formHtml = (form: Form, embed: boolean, values: Partial<FeedbackInput> = {}, problem: { field?: string; message: string } | null = null): string => {
  const v = (s: string | undefined) => escapeHtml(s ?? '');
  const options = form.config.topics.map((t) => `<option${values.topic === t ? ' selected' : ''}>${escapeHtml(t)}</option>`).join('');
  const error = problem ? `<p class="bad" role="alert">${problem.field ? `${escapeHtml(problem.field)}: ` : ''}${escapeHtml(problem.message)}</p>` : '';
  const invalid = (name: string) => (problem?.field === name ? ' aria-invalid="true"' : '');
  return `<p>${escapeHtml(form.config.intro)}</p>${replyNotice(form)}${error}`
    + `<form method="post" action="/p/feedback/${escapeHtml(form.channel.id)}${embed ? '?embed=1' : ''}">`
    + `<label for="name">Your name (optional)</label><input id="name" name="name" autocomplete="name" maxlength="120" value="${v(values.name)}"${invalid('name')}>`
    + `<label for="email">Email address${form.canReply ? '' : ' (optional)'}</label><input id="email" name="email" type="email" autocomplete="email" maxlength="254" value="${v(values.email)}"${form.canReply ? ' required' : ''}${invalid('email')}>`
    + `<label for="topic">Topic</label><select id="topic" name="topic"${invalid('topic')}>${options}</select>`
    + `<label for="message">Message</label><textarea id="message" name="message" rows="6" maxlength="${form.config.maxMessageChars}" required${invalid('message')}>${v(values.message)}</textarea>`
    // Left empty by people; bots that fill every field are thanked and ignored.
    + '<div hidden><label for="website">Leave this empty</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>'
    + '<button type="submit">Send privately</button></form>';
};

const originAllowed = (request: FastifyRequest, form: Form, publicOrigin: string): string | null | false => {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === publicOrigin) return null;
  return form.config.allowedOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : false;
};

/**
 * The feedback form: a hosted page (`/p/feedback/:channelId`, also embeddable in an iframe with `?embed=1`) and a JSON
 * endpoint for a company's own form. Submissions become private Envelopes; the page and the API both say whether a
 * reply can come back.
 */
export const registerFeedbackRoutes = async (app: App, deps: { feedback: FeedbackService; publicUrl: string }) => {
  const { feedback } = deps;
  const publicOrigin = new URL(deps.publicUrl).origin;

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    scope.get('/p/feedback/:channelId', { config: { auth: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } }, schema: { hide: true, params, querystring: embedQuery } }, async (request, reply) => {
      const form = await feedback.formFor(request.params.channelId);
      return page(reply, 200, form, request.query.embed === '1', formHtml(form, request.query.embed === '1'));
    });

    scope.post('/p/feedback/:channelId', {
      config: { auth: 'public', rateLimit: submitLimit },
      schema: { hide: true, params, querystring: embedQuery, body: fields.extend({ website: z.string().max(500).optional() }) },
    }, async (request, reply) => {
      const form = await feedback.formFor(request.params.channelId);
      const embed = request.query.embed === '1';
      if (request.body.website) return page(reply, 200, form, embed, '<p class="ok">Thank you, we have your message.</p>');
      try {
        const result = await feedback.submit(request.params.channelId, request.body);
        const next = result.canReply ? `We will answer by email at ${escapeHtml(result.replyTo ?? '')}.` : 'We cannot reply through this form, but our team will read your message.';
        return page(reply, 201, form, embed, `<p class="ok" role="status">Thank you, we have your message. ${next}</p><p><small>Reference: ${escapeHtml(result.id)}</small></p>`);
      } catch (error) {
        if (!isAppError(error) || !['validation_failed', 'payload_too_large', 'channel_paused'].includes(error.code)) throw error;
        const problem = { message: error.message, ...(error.field ? { field: error.field } : {}) };
        return page(reply, error.code === 'channel_paused' ? 503 : 400, form, embed, formHtml(form, embed, request.body, problem));
      }
    });

    scope.post('/p/feedback/:channelId/submissions', {
      config: { auth: 'public', rateLimit: submitLimit },
      schema: {
        summary: 'Submit the feedback form from your own page (JSON); says whether a reply can come back by email',
        tags: ['channels'],
        params,
        body: fields,
        response: { 201: z.object({ id: z.string(), canReply: z.boolean(), replyTo: z.string().nullable() }) },
      },
    }, async (request, reply) => {
      const form = await feedback.formFor(request.params.channelId);
      const origin = originAllowed(request, form, publicOrigin);
      if (origin === false) throw new AppError('forbidden', `origin ${String(request.headers.origin)} may not post to this form; add it to the channel's allowedOrigins`);
      if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'origin');
      return reply.code(201).send(await feedback.submit(request.params.channelId, request.body));
    });

    scope.options('/p/feedback/:channelId/submissions', { config: { auth: 'public', rateLimit: submitLimit }, schema: { hide: true, params } }, async (request, reply) => {
      const form = await feedback.formFor(request.params.channelId);
      const origin = originAllowed(request, form, publicOrigin);
      if (!origin) throw new AppError('forbidden', 'this origin may not post to this form');
      return reply.header('access-control-allow-origin', origin).header('vary', 'origin').header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600').code(204).send();
    });
  });
};
