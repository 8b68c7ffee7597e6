import { randomToken, SecretBox } from '@app/common';
import { TransactionRunner } from '@app/database';
import { extractLink, SmtpReceiver } from '@app/testing';
import { TestEnvironment } from '../support/test-environment';
import { getQueueToken } from '@nestjs/bull';
import { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  MAIL_QUEUE,
  MAIL_SECRET_CONTEXT,
  MailJobs,
  SendMailPayload,
} from '../../src/modules/notifications/mail/mail.jobs';
import { MailService } from '../../src/modules/notifications/mail/mail.service';
import { OutboxModule } from '../../src/modules/outbox/outbox.module';
import { OutboxService } from '../../src/modules/outbox/outbox.service';

const PUBLIC_APP_URL = 'https://shop.test';

const uniqueAddress = (label: string) => `${label}-${randomBytes(4).toString('hex')}@customers.test`;

describe('transactional mail (worker → SMTP)', () => {
  let env: TestEnvironment;
  let receiver: SmtpReceiver;
  let worker: INestApplicationContext;
  let secretBox: SecretBox;

  beforeAll(async () => {
    env = await TestEnvironment.create({ auth: { publicAppUrl: PUBLIC_APP_URL } });
    receiver = await SmtpReceiver.start();
    // OutboxModule gives this test the API-side OutboxService; the worker graph has only the relay.
    worker = await env.startWorker([OutboxModule], {
      mail: { host: '127.0.0.1', port: receiver.port, secure: false },
    });
    secretBox = new SecretBox(env.config);
  });

  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  /** Writes a mail.send outbox row in a transaction, as a feature does; returns its outbox id. */
  async function enqueueMail(payload: SendMailPayload): Promise<string> {
    await worker
      .get(TransactionRunner)
      .run((manager) => worker.get(OutboxService).enqueue(manager, { jobName: MailJobs.send, payload }));
    const [row] = await worker
      .get(DataSource)
      .query<Array<{ id: string }>>('SELECT id FROM outbox WHERE JSON_VALUE(payload, "$.to") = ?', [
        payload.to,
      ]);
    return String(row.id);
  }

  const verifyEmail = (to: string, token: string): SendMailPayload<'verify-email'> => ({
    template: 'verify-email',
    to,
    data: { name: 'Ann <Admin>' },
    sealedSecrets: { token: secretBox.seal(token, MAIL_SECRET_CONTEXT) },
  });

  it('sends the verification mail from an outbox row over SMTP, with the token only in the link', async () => {
    const to = uniqueAddress('verify');
    const token = randomToken();
    const outboxId = await enqueueMail(verifyEmail(to, token));

    const mail = await receiver.waitForMessage((message) => message.recipients.includes(to));
    expect(mail.recipients).toEqual([to]);
    expect(mail.parsed.to).toEqual(
      expect.objectContaining({ value: [expect.objectContaining({ address: to })] }),
    );
    expect(env.config.mail.from).toContain(`<${mail.parsed.from?.value[0].address}>`);
    expect(mail.parsed.subject).toBe('Confirm your email address for Storekeep');
    expect(mail.parsed.text).toContain('Hello Ann <Admin>,');
    expect(mail.parsed.text).toContain('24 hours');
    expect(mail.parsed.html).toEqual(expect.stringContaining('Hello Ann &lt;Admin&gt;,'));

    const link = extractLink(mail.parsed.text ?? '', '/verify-email');
    expect(link).toBeDefined();
    const url = new URL(link!);
    expect(url.origin).toBe(PUBLIC_APP_URL);
    expect(url.searchParams.get('token')).toBe(token);
    expect(mail.parsed.html).toEqual(expect.stringContaining(`href="${link}"`));

    const [row] = await worker
      .get(DataSource)
      .query<Array<{ payload: string }>>('SELECT CAST(payload AS CHAR) AS payload FROM outbox WHERE id = ?', [
        outboxId,
      ]);
    expect(row.payload).toContain(to); // the right row
    expect(row.payload).not.toContain(token);
    expect(row.payload).not.toContain(encodeURIComponent(token));

    // The Bull job (id outbox-<id>) completed at its first attempt (Bull counts failed attempts only).
    const queue = worker.get<Queue>(getQueueToken(MAIL_QUEUE), { strict: false });
    const job = await queue.getJob(`outbox-${outboxId}`);
    await expect(job?.finished()).resolves.toEqual({ result: 'sent' });
    expect((await queue.getJob(`outbox-${outboxId}`))?.attemptsMade).toBe(0);
    expect(receiver.messagesTo(to)).toHaveLength(1);
  });

  it('sends one mail when the same job is delivered twice', async () => {
    const to = uniqueAddress('twice');
    const payload: SendMailPayload<'reset-password'> = {
      template: 'reset-password',
      to,
      data: { name: 'Bob' },
      sealedSecrets: { token: secretBox.seal(randomToken(), MAIL_SECRET_CONTEXT) },
    };
    const mailService = worker.get(MailService);
    const jobId = `test-${randomBytes(4).toString('hex')}`;

    await expect(mailService.deliver(payload, jobId)).resolves.toBe('sent');
    await expect(mailService.deliver(payload, jobId)).resolves.toBe('already-sent');
    // Kept on purpose: a window in which a stray second send (one not awaited) must NOT arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const received = receiver.messagesTo(to);
    expect(received).toHaveLength(1);
    expect(received[0].parsed.subject).toBe('Reset your Storekeep password');
    expect(received[0].parsed.text).toContain('1 hour');
  });

  it('discards a job whose sealed secret is corrupted: no retry, no mail', async () => {
    const to = uniqueAddress('corrupt');
    const payload = verifyEmail(to, randomToken());
    const [version, keyId, iv, ciphertext, tag] = payload.sealedSecrets.token.split('.');
    const flipped = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
    payload.sealedSecrets.token = [version, keyId, iv, flipped, tag].join('.');
    const outboxId = await enqueueMail(payload);

    const queue = worker.get<Queue>(getQueueToken(MAIL_QUEUE), { strict: false });
    const job = await waitFor(async () => {
      const found = await queue.getJob(`outbox-${outboxId}`);
      return found?.failedReason ? found : undefined;
    });
    // A retried job would now be 'delayed' (exponential backoff) instead of failed for good.
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.opts.attempts).toBeGreaterThan(1);
    expect(job.failedReason).toMatch(/Undeliverable mail: secret "token" is unreadable/);

    // Kept on purpose: a window in which no mail may arrive (the failed job must not send late).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.messagesTo(to)).toEqual([]);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
