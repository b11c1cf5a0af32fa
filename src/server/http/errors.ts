import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { type ErrorCode, isAppError } from '../platform/errors.js';

/** The one table from domain error codes to HTTP statuses. */
const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conversation_not_found: 404,
  message_not_found: 404,
  customer_not_found: 404,
  user_not_found: 404,
  team_not_found: 404,
  channel_not_found: 404,
  email_taken: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  media_not_accepted: 422,
  channel_paused: 409,
  reply_blocked: 422,
  rate_limited: 429,
  unavailable: 503,
};

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [extra: string]: unknown;
}

/** RFC 9457 problem details. */
export type ProblemInput = { status: number; code: string; title?: string; detail?: string; instance?: string; errors?: { field: string; message: string }[] } & Record<string, unknown>;

export const sendProblem = (reply: FastifyReply, problem: ProblemInput): FastifyReply =>
  reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ type: `https://parley.dev/problems/${problem.code}`, title: problem.title ?? titles[problem.status] ?? 'Error', ...problem });

const fieldOf = (context: string | undefined, instancePath: string, params: unknown): string => {
  const path = instancePath.replace(/^\//, '').split('/').filter(Boolean);
  const p = params as { missingProperty?: string; additionalProperty?: string; keys?: string[] } | undefined;
  const extra = p?.missingProperty ?? p?.additionalProperty ?? p?.keys?.[0];
  if (extra) path.push(extra);
  const joined = path.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  return context ? (joined ? `${context}.${joined}`.replace('.[', '[') : context) : joined;
};

/** Every error leaves as problem+json; a client's mistake is never a 500. */
export const handleError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  const instance = request.url;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const errors = error.validation.map((v) => {
      const issue = v.params as { issue?: { code?: string; keys?: string[] } } | undefined;
      const keys = issue?.issue?.keys;
      return { field: fieldOf(context, v.instancePath, keys ? { keys } : v.params), message: v.message ?? 'invalid' };
    });
    return sendProblem(reply, { status: 400, code: 'validation_failed', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors, instance });
  }
  if (isAppError(error)) {
    const status = statusOf[error.code];
    return sendProblem(reply, {
      status,
      code: error.code,
      detail: error.message,
      instance,
      ...(error.field ? { errors: [{ field: error.field, message: error.message }] } : {}),
      ...(error.details ?? {}),
    });
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'response did not match its schema');
    return sendProblem(reply, { status: 500, code: 'internal', detail: 'The server produced an invalid response.', instance });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'payload_too_large' : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : 'bad_request';
    return sendProblem(reply, { status, code, detail: error.message, instance, ...(code === 'bad_request' ? { errors: [{ field: 'body', message: error.message }] } : {}) });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, { status: 500, code: 'internal', detail: 'Something went wrong on our side; it has been logged.', instance });
};
