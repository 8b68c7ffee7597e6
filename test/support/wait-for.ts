import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { QueueRegistry } from '../../src/queues/queue.registry';

/** Polls `check` until it holds (work done by a worker, a delayed job, a webhook) or fails the test. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Waits until every outbox row of `queues` written so far has been relayed and its Bull job has run
 * (none waiting, active or delayed): the condition "any duplicate side effect would have happened by
 * now" stands on, instead of a guessed sleep. `app` is the worker (or any context holding the queues);
 * a queue with repeatable jobs never settles (they always wait, delayed), so name only queues without.
 */
export async function waitForQueuesToSettle(
  app: INestApplicationContext,
  queues: string[],
  timeoutMs = 15_000,
): Promise<void> {
  const db = app.get(DataSource, { strict: false });
  await waitFor(
    async () => {
      const [{ n }] = await db.query<Array<{ n: string }>>(
        'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL AND queue IN (?)',
        [queues],
      );
      if (Number(n) > 0) return false;
      for (const name of queues) {
        const counts = await app.get<Queue>(getQueueToken(name), { strict: false }).getJobCounts();
        if (counts.waiting + counts.active + counts.delayed > 0) return false;
      }
      return true;
    },
    timeoutMs,
    `the ${queues.join(' and ')} queues to settle`,
  );
}

/**
 * Waits until every outbox row is relayed and no job of any queue `app` registered is waiting or
 * active. Delayed jobs are allowed: the repeatable ones (sweeps, reconciliation) always wait there.
 */
export async function waitForWorkToDrain(app: INestApplicationContext, timeoutMs = 30_000): Promise<void> {
  const db = app.get(DataSource, { strict: false });
  const queues = app.get(QueueRegistry, { strict: false }).all();
  await waitFor(
    async () => {
      const [{ n }] = await db.query<Array<{ n: string }>>(
        'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL',
      );
      if (Number(n) > 0) return false;
      for (const queue of queues) {
        const counts = await queue.getJobCounts();
        if (counts.waiting + counts.active > 0) return false;
      }
      return true;
    },
    timeoutMs,
    'the outbox and every queue to drain',
  );
}
