/** Every domain error code; the HTTP edge maps each to a status in one table (http/errors.ts). */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'rate_limited'
  | 'not_found'
  | 'conversation_not_found'
  | 'message_not_found'
  | 'customer_not_found'
  | 'user_not_found'
  | 'team_not_found'
  | 'channel_not_found'
  | 'email_taken'
  | 'conflict'
  | 'invalid_credentials'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'media_not_accepted'
  | 'channel_paused'
  | 'reply_blocked'
  | 'unavailable';

/** A domain error with a stable code; `field` names the offending input when there is one. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? code);
    this.name = 'AppError';
  }
}

/** Thrown by a job handler to stop retrying: the job goes to the dead-letter state with this reason. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
