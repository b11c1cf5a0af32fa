import nodemailer from 'nodemailer';

export interface SystemMail {
  to: string;
  subject: string;
  text: string;
}

/** The workspace's own mail (one-time codes, private replies), independent of any channel. */
export interface SystemMailer {
  send(mail: SystemMail): Promise<void>;
  close(): void;
}

/**
 * A mailer from an SMTP URL (`smtp://user:pass@host:587`, `smtps://…:465`; nodemailer reads options such as
 * `?ignoreTLS=true` from the query). Sending throws; callers decide what the customer is told.
 */
export const createSystemMailer = (options: { url: string; from: string }): SystemMailer => {
  const transport = nodemailer.createTransport(options.url, { from: options.from });
  return {
    async send(mail) {
      await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
};

/** The sender address when none is configured: no-reply at the public host. */
export const defaultFromAddress = (publicUrl: string): string => {
  const host = new URL(publicUrl).hostname;
  return `no-reply@${/^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/i.test(host) ? host : 'localhost'}`;
};
