import { z } from 'zod';
import { smtpServerSchema } from '../email/settings.js';

const originSchema = z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'an origin like https://www.example.com (no path)');

/** A feedback form channel's stored config: what the form asks, where it may be embedded, how replies go out. */
export const feedbackConfigSchema = z.object({
  title: z.string().min(1).max(120).default('Contact us privately'),
  intro: z.string().max(1000).default('Tell us what happened. Only our support team sees this, never the public.'),
  topics: z.array(z.string().min(1).max(80)).min(1).max(30).default(['Question', 'Problem with an order', 'Billing', 'Complaint', 'Praise', 'Other']),
  /** Sites that may show the form in an iframe (frame-ancestors) or post to its JSON endpoint (CORS). */
  allowedOrigins: z.array(originSchema).max(50).default([]),
  maxMessageChars: z.number().int().min(100).max(20_000).default(5000),
  /** Replies go out by email through this SMTP server; without it the channel says plainly that it cannot reply. */
  smtp: smtpServerSchema.optional(),
  fromAddress: z.email().optional(),
  fromName: z.string().min(1).max(120).optional(),
});
export type FeedbackConfig = z.infer<typeof feedbackConfigSchema>;

export const feedbackCredentialsSchema = z.object({
  smtpUser: z.string().min(1).optional(),
  smtpPassword: z.string().optional(),
});

/** Whether replies can reach a customer at all: an SMTP server and a From address are configured. */
export const canFeedbackReply = (config: FeedbackConfig): boolean => Boolean(config.smtp && config.fromAddress);
