import { checkedFetch, expectProblem, SmtpReceiver } from '@app/testing';
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EVENTS_QUEUE } from '../../src/modules/notifications/jobs/events.jobs';
import { MAIL_QUEUE, MailJobs, type SendMailPayload } from '../../src/modules/notifications/mail/mail.jobs';
import { AuthClient, createUser } from '../support/auth-client';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { waitFor, waitForQueuesToSettle } from '../support/wait-for';

interface FailedJob {
  queue: string;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  attempts: number;
  createdAt: string;
  processedAt: string | null;
  failedAt: string;
  data: Record<string, unknown>;
}
interface FailedPage {
  data: FailedJob[];
  nextCursor: string | null;
}

/**
 * Jobs that ran out of retries: real jobs failing in the real worker (a mail to a mailbox the SMTP
 * server refuses; a malformed domain event), listed across queues, retried once the cause is gone,
 * discarded, counted in /metrics and announced once as `job.failed`.
 */
describe('failed jobs', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let worker: INestApplicationContext;
  let receiver: SmtpReceiver;
  let db: DataSource;
  let client: AuthClient;
  let token: string;
  let mailQueue: Queue;
  let eventsQueue: Queue;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    receiver = await SmtpReceiver.start();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    worker = await env.startWorker([], { mail: { host: '127.0.0.1', port: receiver.port, secure: false } });
    db = api.app.get(DataSource);
    client = new AuthClient(api.baseUrl);
    token = (await createUser(client, db, { role: 'admin' })).tokens.accessToken;
    mailQueue = worker.get<Queue>(getQueueToken(MAIL_QUEUE), { strict: false });
    eventsQueue = worker.get<Queue>(getQueueToken(EVENTS_QUEUE), { strict: false });
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  const send = <T = FailedPage>(method: string, path: string, body?: unknown, as = token) =>
    client.send<T>(method, path, { token: as, body });
  const failedCount = async (queue: Queue, at: number) => (await queue.getFailedCount()) >= at;

  async function listAll(query: string, limit: number): Promise<FailedJob[][]> {
    const pages: FailedJob[][] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: FailedPage } = await send(
        'GET',
        `/v1/admin/jobs?state=failed&limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      pages.push(response.body.data);
      cursor = response.body.nextCursor;
    } while (cursor && pages.length < 20);
    return pages;
  }

  it('lists, retries, discards, counts and announces jobs that ran out of retries, across queues', async () => {
    const to = `bounce-${randomUUID()}@example.test`;
    receiver.rejectedRecipients.add(to);
    // A stray sealed value rides along (the template opens none): the list must not show it.
    const mail = {
      template: 'password-changed',
      to,
      data: { name: 'Ann' },
      sealedSecrets: { note: 'sealed-secret-value' },
    } satisfies Omit<SendMailPayload<'password-changed'>, 'sealedSecrets'> & { sealedSecrets: object };
    const mailIds = [0, 1, 2].map((i) => `it-mail-${i}-${randomUUID()}`);
    for (const jobId of mailIds) await mailQueue.add(MailJobs.send, mail, { jobId, attempts: 1 });
    // A domain event without its payload: the order mail handler cannot read it.
    const eventId = `it-event-${randomUUID()}`;
    await eventsQueue.add('order.delivered', null, { jobId: eventId, attempts: 1 });
    await waitFor(() => failedCount(mailQueue, 3), 15_000, 'three failed mail jobs');
    await waitFor(() => failedCount(eventsQueue, 1), 15_000, 'a failed event job');

    // Pages of two across both queues: each job once, newest failure first, the last page says so.
    const pages = await listAll('', 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2]);
    const listed = pages.flat();
    expect(listed.map((job) => `${job.queue}/${job.id}`).sort()).toEqual(
      [...mailIds.map((id) => `mail/${id}`), `events/${eventId}`].sort(),
    );
    const failedAts = listed.map((job) => Date.parse(job.failedAt));
    expect(failedAts).toEqual([...failedAts].sort((a, b) => b - a));
    const first = listed.find((job) => job.id === mailIds[0])!;
    expect(first).toEqual(
      expect.objectContaining({ queue: 'mail', name: MailJobs.send, attemptsMade: 1, attempts: 1 }),
    );
    expect(first.failedReason).toMatch(/550|mailbox unavailable/);
    expect(first.data).toEqual(
      expect.objectContaining({ to, template: 'password-changed', sealedSecrets: '[redacted]' }),
    );
    expect(JSON.stringify(pages)).not.toContain('sealed-secret-value');
    expect(
      (await listAll('&queue=mail', 10))
        .flat()
        .map((job) => job.id)
        .sort(),
    ).toEqual([...mailIds].sort());

    // Each failure is announced once on the events queue, and counted for Prometheus.
    const announced = async () =>
      db.query<Array<{ id: string; payload: string | { jobId: string } }>>(
        `SELECT id, payload FROM outbox WHERE job_name = 'job.failed' ORDER BY id`,
      );
    await waitFor(async () => (await announced()).length === 4, 15_000, 'four job.failed events');
    await waitForQueuesToSettle(worker, [EVENTS_QUEUE]);
    const events = (await eventsQueue.getCompleted()).filter((job) => job.name === 'job.failed');
    expect(events.map((job) => (job.data as { jobId: string }).jobId).sort()).toEqual(
      [...mailIds, eventId].sort(),
    );
    expect(events.find((job) => (job.data as { jobId: string }).jobId === mailIds[0])!.data).toEqual({
      queue: 'mail',
      jobId: mailIds[0],
      name: MailJobs.send,
      failedReason: first.failedReason,
      attemptsMade: 1,
    });
    const metrics = await (await checkedFetch(`${api.baseUrl}/metrics`)).text();
    expect(metrics).toContain('bull_jobs_failed_total{queue="mail",name="mail.send"} 3');
    expect(metrics).toContain('bull_jobs_failed_total{queue="events",name="order.delivered"} 1');

    // The mailbox is back: a retried job sends its mail.
    receiver.rejectedRecipients.delete(to);
    const retried = await send<FailedJob>('POST', `/v1/admin/jobs/mail/${mailIds[0]}/retry`);
    expect(retried.status).toBe(200);
    await receiver.waitForMessage((message) => message.recipients.includes(to));
    await waitFor(
      async () =>
        (await mailQueue.getJob(mailIds[0]))?.finishedOn !== undefined &&
        (await (await mailQueue.getJob(mailIds[0]))!.isCompleted()),
    );
    expectProblem(
      await send('POST', `/v1/admin/jobs/mail/${mailIds[0]}/retry`),
      409,
      '/problems/job-not-failed',
    );

    // Discarded: gone; a second discard finds nothing.
    expect((await send('DELETE', `/v1/admin/jobs/mail/${mailIds[1]}`)).status).toBe(204);
    expect(await mailQueue.getJob(mailIds[1])).toBeNull();
    expectProblem(await send('DELETE', `/v1/admin/jobs/mail/${mailIds[1]}`), 404, '/problems/job-not-found');

    // Bulk: the named ids of one queue, then every failed job left.
    const bulkRetry = await send<{ count: number }>('POST', '/v1/admin/jobs/retry', {
      queue: 'mail',
      ids: [mailIds[2]],
    });
    expect(bulkRetry.body).toEqual({ count: 1 });
    await waitFor(() => Promise.resolve(receiver.messagesTo(to).length === 2), 15_000, 'the second mail');
    const bulkDiscard = await send<{ count: number }>('POST', '/v1/admin/jobs/discard', {});
    expect(bulkDiscard.body).toEqual({ count: 1 });
    expect(await eventsQueue.getJob(eventId)).toBeNull();
    expect((await listAll('', 10)).flat()).toEqual([]);
    await waitForQueuesToSettle(worker, [MAIL_QUEUE, EVENTS_QUEUE]);
    expect(receiver.messagesTo(to)).toHaveLength(2);

    // Every staff action is audited.
    const audited = await db.query<Array<{ action: string; target_id: string }>>(
      `SELECT action, target_id FROM audit_log WHERE target_type = 'job' ORDER BY id`,
    );
    expect(audited).toEqual([
      { action: 'job.retried', target_id: `mail/${mailIds[0]}`.slice(0, 64) },
      { action: 'job.discarded', target_id: `mail/${mailIds[1]}`.slice(0, 64) },
      { action: 'jobs.retried', target_id: 'mail' },
      { action: 'jobs.discarded', target_id: '*' },
    ]);
  }, 90_000);

  it('refuses callers without queues:manage, unknown jobs, unknown queues and bad cursors', async () => {
    const key = await client.post<{ key: string }>(
      '/v1/admin/api-keys',
      { name: 'orders only', scopes: ['orders:manage'] },
      token,
    );
    expect(key.status).toBe(201);
    expectProblem(await send('GET', '/v1/admin/jobs?state=failed', undefined, key.body.key), 403);
    expectProblem(await send('POST', '/v1/admin/jobs/retry', {}, key.body.key), 403);
    expectProblem(await send('POST', '/v1/admin/jobs/mail/nope/retry'), 404, '/problems/job-not-found');
    expectProblem(await send('DELETE', '/v1/admin/jobs/mail/nope'), 404, '/problems/job-not-found');
    expectProblem(
      await send('GET', '/v1/admin/jobs?state=failed&queue=nope'),
      400,
      '/problems/unknown-queue',
    );
    expectProblem(await send('POST', '/v1/admin/jobs/nope/1/retry'), 400, '/problems/unknown-queue');
    expectProblem(await send('POST', '/v1/admin/jobs/retry', { ids: ['1'] }), 400, '/problems/unknown-queue');
    expectProblem(await send('GET', '/v1/admin/jobs'), 400);
    expectProblem(await send('GET', '/v1/admin/jobs?state=failed&cursor=not%20a%20cursor'), 400);
    const foreign = Buffer.from(JSON.stringify({ at: 1, q: 'nope', id: 'x' })).toString('base64url');
    expectProblem(
      await send('GET', `/v1/admin/jobs?state=failed&cursor=${foreign}`),
      422,
      '/problems/invalid-cursor',
    );
  });
});
