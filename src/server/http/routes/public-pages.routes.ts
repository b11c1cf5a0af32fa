import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { constantTimeEqual } from '../../platform/crypto.js';
import { isAppError } from '../../platform/errors.js';
import type { PrivateHandoffService } from '../../services/private-handoff.service.js';
import type { VerificationService } from '../../services/verification.service.js';
import { escapeHtml, publicPageCsp, renderPage } from '../../trust/html.js';
import type { App } from '../types.js';

const privateCookie = 'parley_private';
// The browser's half of a proof by private message: only the browser that asked for the code is let in when it arrives.
const dmCookie = 'parley_dm';
const limit = { max: 30, timeWindow: '1 minute' };
const tokenParams = z.strictObject({ token: z.string().min(10).max(200) });

const html = (reply: FastifyReply, status: number, title: string, body: string) =>
  reply.code(status).header('content-security-policy', publicPageCsp).header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(renderPage(title, body));

const form = (action: string, fields: string, button: string) => `<form method="post" action="${escapeHtml(action)}">${fields}<button type="submit">${escapeHtml(button)}</button></form>`;

/** Public pages under /p/: the private hand-off and the official-reply check. Server-rendered, no script, rate limited. */
export const registerPublicPageRoutes = async (app: App, deps: { handoff: PrivateHandoffService; verification: VerificationService; secureCookies: boolean }) => {
  const { handoff, verification } = deps;

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    // Plain HTML forms post urlencoded bodies; only these pages accept them.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    const base = (token: string) => `/p/private/${token}`;

    const cookieOptions = (expires: Date) => ({ httpOnly: true, sameSite: 'strict' as const, path: '/p/private/', secure: deps.secureCookies, expires });

    const dmPanel = (token: string, code: string, platform: string, handle: string | null) =>
      `<h2>Or prove it by private message</h2><p>Send this code in a private message to our ${escapeHtml(platform)} account${handle ? `, from @${escapeHtml(handle.replace(/^@/, ''))}` : ''} (the account that posted):</p><p><strong>${escapeHtml(code)}</strong></p><p><a href="${escapeHtml(base(token))}">I have sent it</a></p>`;

    const dmOffer = (token: string) => form(`${base(token)}/dm`, '', 'Prove it by private message instead');

    const showLink = async (token: string, sessionToken: string | undefined, reply: FastifyReply, notice = '', dmNonce?: string) => {
      if (!sessionToken && dmNonce) {
        const dm = await handoff.checkDmProof(token, dmNonce);
        if (dm.state === 'verified') {
          reply.setCookie(privateCookie, dm.sessionToken, cookieOptions(new Date(dm.expiresAt)));
          reply.clearCookie(dmCookie, { path: '/p/private/' });
          return showLink(token, dm.sessionToken, reply, '<p class="ok">Thank you, your private message proved it is you.</p>');
        }
        if (dm.state === 'waiting') {
          const state = await handoff.resolve(token);
          const handle = state.state === 'ask_email' || state.state === 'ask_code' ? ((await handoff.posterOf(state.link))?.handle ?? null) : null;
          return html(reply, 200, 'Prove it is you', `${notice}<p>We have not received your private message with the code yet.</p>${dmPanel(token, dm.code, dm.platform, handle)}`);
        }
      }
      const session = await handoff.sessionLink(token, sessionToken);
      if (session) {
        const thread = await handoff.thread(session);
        const list = thread.map((m) => `<div class="msg ${m.direction === 'out' ? 'out' : ''}"><small>${m.direction === 'out' ? 'Support' : 'You'} · ${escapeHtml(new Date(m.createdAt).toISOString().slice(0, 16).replace('T', ' '))}</small><br>${escapeHtml(m.text)}</div>`).join('');
        const csrf = handoff.csrfFor(sessionToken as string);
        return html(reply, 200, 'Your private conversation', `${notice}<p>Only you and our support team can see this conversation. Replies also arrive by email.</p>${list}${form(`${base(token)}/message`, `<input type="hidden" name="csrf" value="${csrf}"><label for="text">Your message</label><textarea id="text" name="text" rows="4" maxlength="5000" required></textarea>`, 'Send privately')}`);
      }
      const state = await handoff.resolve(token);
      if (state.state === 'ask_email' || state.state === 'ask_code') {
        const canDm = (await handoff.posterOf(state.link)) !== null;
        const dm = canDm ? dmOffer(token) : '';
        if (state.state === 'ask_code') {
          return html(reply, 200, 'Enter your code', `${notice}<p>We sent a six-digit code to ${escapeHtml(state.maskedEmail ?? 'your email')}.</p>${form(`${base(token)}/code`, '<label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>', 'Continue')}<p><small>No code? Wait a few minutes, then reload this page to ask for a new one.</small></p>${dm}`);
        }
        // A code goes only to an address we already hold for this customer, never to one typed here.
        const email = await handoff.emailOptions(state.link);
        const emailPart = email.status === 'ok'
          ? `<p>First, prove it is you: we send a one-time code to an email address we already have for you.</p>${form(`${base(token)}/email`, `<fieldset><legend>Send the code to</legend>${email.choices.map((c, i) => `<p class="choice"><input type="radio" id="choice${i}" name="choice" value="${escapeHtml(c.id)}" required${email.choices.length === 1 ? ' checked' : ''}> <label for="choice${i}">${escapeHtml(c.masked)}</label></p>`).join('')}</fieldset>`, 'Send me a code')}`
          : email.status === 'locked'
            ? '<p class="bad">This link allows no more email codes. Ask us for a new link in the conversation where you received it.</p>'
            : email.status === 'no_mail'
              ? '<p>We cannot send email codes right now.</p>'
              : '<p>We have no email address on file for you, so a code cannot be emailed.</p>';
        const none = email.status !== 'ok' && !canDm ? '<p>This page cannot check who you are. Ask us in the conversation where you received this link.</p>' : '';
        return html(reply, 200, 'Continue in private', `${notice}<p>To keep your details out of public view, continue here.</p>${emailPart}${dm}${none}`);
      }
      const why = state.state === 'used' ? 'This link has already been used.' : state.state === 'expired' ? 'This link has expired.' : 'This link is not valid.';
      return html(reply, state.state === 'invalid' ? 404 : 410, 'Link unavailable', `<p class="bad">${why}</p><p>Ask us for a new link in the conversation where you received it.</p>`);
    };

    const fail = (error: unknown) => {
      if (isAppError(error)) return `<p class="bad">${escapeHtml(error.message)}</p>`;
      throw error;
    };

    scope.get('/p/private/:token', { config: { auth: 'public', rateLimit: limit }, schema: { hide: true, params: tokenParams } }, async (request, reply) =>
      showLink(request.params.token, request.cookies[privateCookie], reply, '', request.cookies[dmCookie]));

    scope.post('/p/private/:token/dm', { config: { auth: 'public', rateLimit: { max: 5, timeWindow: '10 minutes' } }, schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      try {
        const started = await handoff.requestDmProof(request.params.token);
        reply.setCookie(dmCookie, started.nonce, cookieOptions(new Date(Date.now() + 30 * 60_000)));
        return html(reply, 200, 'Prove it is you', dmPanel(request.params.token, started.code, started.platform, started.handle));
      } catch (error) {
        return showLink(request.params.token, undefined, reply, fail(error));
      }
    });

    // The form names one of the masked addresses by an opaque value; an address typed by the visitor is refused (400).
    scope.post('/p/private/:token/email', { config: { auth: 'public', rateLimit: { max: 5, timeWindow: '10 minutes' } }, schema: { hide: true, params: tokenParams, body: z.strictObject({ choice: z.string().max(100) }) } }, async (request, reply) => {
      let notice = '';
      try {
        await handoff.requestCode(request.params.token, request.body.choice);
      } catch (error) {
        notice = fail(error);
      }
      return showLink(request.params.token, undefined, reply, notice);
    });

    scope.post('/p/private/:token/code', { config: { auth: 'public', rateLimit: limit }, schema: { hide: true, params: tokenParams, body: z.object({ code: z.string().max(20) }) } }, async (request, reply) => {
      try {
        const session = await handoff.verifyCode(request.params.token, request.body.code);
        reply.setCookie(privateCookie, session.sessionToken, { httpOnly: true, sameSite: 'strict', path: '/p/private/', secure: deps.secureCookies, expires: new Date(session.expiresAt) });
        return showLink(request.params.token, session.sessionToken, reply, '<p class="ok">Thank you, you are verified.</p>');
      } catch (error) {
        return showLink(request.params.token, undefined, reply, fail(error));
      }
    });

    scope.post('/p/private/:token/message', { config: { auth: 'public', rateLimit: limit }, schema: { hide: true, params: tokenParams, body: z.object({ text: z.string().max(5000), csrf: z.string().max(100) }) } }, async (request, reply) => {
      const sessionToken = request.cookies[privateCookie];
      const link = await handoff.sessionLink(request.params.token, sessionToken);
      if (!link || !sessionToken || !constantTimeEqual(handoff.csrfFor(sessionToken), request.body.csrf)) return html(reply, 403, 'Not allowed', '<p class="bad">Your private session has ended or this form is stale. Open your link again.</p>');
      let notice = '<p class="ok">Sent.</p>';
      try {
        await handoff.postAsCustomer(link, request.body.text);
      } catch (error) {
        notice = fail(error);
      }
      return showLink(request.params.token, sessionToken, reply, notice);
    });

    scope.get('/p/verify', {
      config: { auth: 'public', rateLimit: limit },
      schema: { tags: ['trust'], summary: 'Check that a reply (by its code) or a handle is the company\'s own; lists the official accounts', querystring: z.strictObject({ code: z.string().max(40).optional(), handle: z.string().max(100).optional(), format: z.enum(['json', 'html']).optional() }) },
    }, async (request, reply) => {
      const { code, handle } = request.query;
      const result = code ? await verification.check(code) : null;
      const handleCheck = handle ? await verification.checkHandle(handle) : null;
      const accounts = result?.officialAccounts ?? (await verification.officialAccounts());
      const wantsJson = request.query.format === 'json' || (request.query.format !== 'html' && (request.headers.accept ?? '').includes('application/json'));
      if (wantsJson) return reply.header('cache-control', 'no-store').send({ code: result?.code ?? null, official: result?.official ?? null, reply: result?.reply ?? null, handle: handleCheck, officialAccounts: accounts });
      const verdict = result
        ? result.official && result.reply
          ? `<p class="ok">Code ${escapeHtml(result.code)} belongs to a reply we sent on ${escapeHtml(result.reply.platform)} (${escapeHtml(result.reply.channel)}) at ${escapeHtml(result.reply.sentAt)}.${result.reply.url ? ` <a href="${escapeHtml(result.reply.url)}" rel="noreferrer">See it</a>.` : ''}</p>`
          : `<p class="bad">Code ${escapeHtml(result.code)} does not belong to any reply we sent. Treat that message as not from us.</p>`
        : '';
      const handleVerdict = handleCheck
        ? handleCheck.official
          ? `<p class="ok">${escapeHtml(handleCheck.handle)} is one of our official accounts.</p>`
          : `<p class="bad">${escapeHtml(handleCheck.handle)} is not one of our accounts${handleCheck.lookAlike ? ' and looks like an imitation of one' : ''}.</p>`
        : '';
      const list = accounts.map((a) => `<li>${escapeHtml(a.handle)}${a.platform ? ` (${escapeHtml(a.platform)})` : ''}</li>`).join('');
      const search = `<form method="get" action="/p/verify"><label for="code">Code from a reply</label><input id="code" name="code" maxlength="40"><label for="handle">…or a handle</label><input id="handle" name="handle" maxlength="100"><button type="submit">Check</button></form>`;
      return html(reply, 200, 'Is this really us?', `${verdict}${handleVerdict}${search}<h2>Our official accounts</h2><ul>${list || '<li>none listed yet</li>'}</ul>`);
    });
  });
};
