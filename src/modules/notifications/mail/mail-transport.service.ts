import { AppConfig } from '@app/config';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, angle brackets included: the same for every resend of one mail. */
  messageId: string;
}

/** The SMTP connection pool of the worker; `from` comes from config, never from a payload. */
@Injectable()
export class MailTransportService implements OnModuleDestroy {
  private readonly transporter: Transporter<SMTPPool.SentMessageInfo>;

  constructor(private readonly config: AppConfig) {
    const { host, port, secure, user, password } = config.mail;
    this.transporter = createTransport({
      pool: true,
      host,
      port,
      secure,
      auth: user ? { user, pass: password } : undefined,
      // nodemailer's defaults (2 min to connect, 10 min idle socket) would hold a job, and the
      // worker's shutdown, far longer than a retry costs.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const { to, subject, text, html, messageId } = mail;
    await this.transporter.sendMail({ from: this.config.mail.from, to, subject, text, html, messageId });
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
