import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), lower-cased. */
  recipients: string[];
  /** Envelope sender (MAIL FROM). */
  sender: string | undefined;
  parsed: ParsedMail;
}

type Waiter = { predicate: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void };

/**
 * A real SMTP server on 127.0.0.1 (random port, no TLS, no auth) that keeps every message it
 * receives, parsed: tests assert on what actually went over the wire.
 */
export class SmtpReceiver {
  readonly messages: ReceivedMail[] = [];
  /** Recipients (lower-cased) refused with a permanent 550 at RCPT TO, for as long as they are listed. */
  readonly rejectedRecipients = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private readonly server: SMTPServer;
  port = 0;

  private constructor() {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      // Pooled clients keep their connections open; do not let close() wait 30 s for them.
      closeTimeout: 500,
      onRcptTo: (address, _session, callback) => {
        if (!this.rejectedRecipients.has(address.address.toLowerCase())) return callback();
        callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.receive({
              recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
              sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  static async start(): Promise<SmtpReceiver> {
    const receiver = new SmtpReceiver();
    await receiver.listen();
    return receiver;
  }

  /** Resolves with the first message (already received or still to come) matching the predicate. */
  waitForMessage(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
    const received = this.messages.find(predicate);
    if (received) return Promise.resolve(received);
    return new Promise<ReceivedMail>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (mail) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(mail);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `SmtpReceiver: no matching message within ${timeoutMs} ms (received ${this.messages.length}: ` +
              `${this.messages.map((mail) => `"${mail.parsed.subject ?? ''}" to ${mail.recipients.join(',')}`).join('; ') || 'none'})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Messages sent to this envelope recipient. */
  messagesTo(address: string): ReceivedMail[] {
    return this.messages.filter((mail) => mail.recipients.includes(address.toLowerCase()));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = this.server;
    this.port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.server.address() as { port: number }).port);
      });
    });
    server.on('error', () => undefined); // a client dropping its connection is not a test failure
  }

  private receive(mail: ReceivedMail): void {
    this.messages.push(mail);
    for (const waiter of [...this.waiters]) if (waiter.predicate(mail)) waiter.resolve(mail);
  }
}

/** The first http(s) URL in `text` whose path starts with `pathPrefix` (e.g. '/verify-email'). */
export function extractLink(text: string, pathPrefix: string): string | undefined {
  for (const [match] of text.matchAll(/https?:\/\/[^\s"'<>]+/g)) {
    const candidate = match.replace(/[.,;:!?)\]]+$/, ''); // sentence punctuation after a link
    try {
      if (new URL(candidate).pathname.startsWith(pathPrefix)) return candidate;
    } catch {
      // not a URL after all: keep looking
    }
  }
  return undefined;
}
