import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that may hold secrets: never written to logs. */
const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'credentials',
  '*.credentials',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

export const createLogger = (level: string, destination?: pino.DestinationStream): Logger =>
  pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'parley' } }, destination);
