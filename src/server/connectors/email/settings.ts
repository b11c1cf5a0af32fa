import { z } from 'zod';

/** An email channel's stored config (CONNECTORS.md §6). */
/** An SMTP server to send through (the email channel's replies, the feedback form's). */
export const smtpServerSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** Implicit TLS; defaults to true on port 465. */
  secure: z.boolean().optional(),
  ignoreTLS: z.boolean().default(false),
});

export const emailConfigSchema = z.object({
  address: z.email(),
  fromName: z.string().min(1).optional(),
  /** Right-hand side of our Message-IDs; the address's domain by default. */
  messageIdDomain: z.string().min(1).optional(),
  otherAddresses: z.array(z.email()).default([]),
  imap: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    secure: z.boolean().default(true),
    mailbox: z.string().min(1).default('INBOX'),
  }),
  smtp: smtpServerSchema.optional(),
  idleDelayMs: z.number().int().positive().default(15_000),
  /** Most messages downloaded per round; a backlog drains over several rounds. */
  batchSize: z.number().int().min(1).max(5000).default(200),
  reconnectBaseMs: z.number().int().positive().default(1000),
});

/** One login for both, or separate ones per protocol. */
export const emailCredentialsSchema = z
  .object({
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    imapUser: z.string().min(1).optional(),
    imapPassword: z.string().optional(),
    smtpUser: z.string().min(1).optional(),
    smtpPassword: z.string().optional(),
  })
  .refine((c) => c.imapPassword !== undefined || c.password !== undefined, { message: 'give password or imapPassword', path: ['password'] });
