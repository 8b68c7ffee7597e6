/**
 * Compile-time tests of the OutboxJobs map: `npm run typecheck` (tsc) runs them; Jest does not, and the
 * build leaves them out. Every `@ts-expect-error` line must be a type error: if the typing loosens,
 * tsc fails with "Unused '@ts-expect-error' directive".
 */
import type { EntityManager } from 'typeorm';
import type { NewOutboxMessage, OutboxJob, OutboxRoutes } from './outbox-jobs';
import type { OutboxService } from './outbox.service';

declare const outbox: OutboxService;
declare const tx: EntityManager;

export async function enqueueIsCheckedAgainstTheMap(): Promise<void> {
  await outbox.enqueue(tx, { jobName: 'orders.expire', payload: { orderId: 'o1' }, delayMs: 60_000 });
  await outbox.enqueue(tx, { jobName: 'catalog.invalidate-cache', payload: {} });
  await outbox.enqueue(
    tx,
    { jobName: 'payments.refund', payload: { refundId: 'r1' } },
    {
      jobName: 'payment.late-refund',
      payload: { orderId: 'o1', paymentId: 'p1', amount: 100, currency: 'EUR' },
    },
  );

  // @ts-expect-error the payload of another job: payments.capture also needs an amount
  await outbox.enqueue(tx, { jobName: 'payments.capture', payload: { paymentId: 'p1' } });
  // @ts-expect-error a payload field of the wrong type
  await outbox.enqueue(tx, { jobName: 'orders.expire', payload: { orderId: 42 } });
  // @ts-expect-error a field the job's payload does not have
  await outbox.enqueue(tx, { jobName: 'orders.expire', payload: { orderId: 'o1', paymentId: 'p1' } });
  // @ts-expect-error a job name that is not in the map
  await outbox.enqueue(tx, { jobName: 'orders.expired', payload: { orderId: 'o1' } });
  // @ts-expect-error the caller does not choose the queue: the job's route does
  await outbox.enqueue(tx, { queue: 'mail', jobName: 'orders.expire', payload: { orderId: 'o1' } });
  // @ts-expect-error a job that takes no payload
  await outbox.enqueue(tx, { jobName: 'catalog.invalidate-cache', payload: { productId: 'x' } });

  const batch: NewOutboxMessage[] = [];
  // @ts-expect-error messages collected before enqueue are checked the same way
  batch.push({ jobName: 'order.paid', payload: { orderId: 'o1' } });
  await outbox.enqueue(tx, ...batch);
}

/* eslint-disable @typescript-eslint/no-unsafe-assignment -- reading what is not there yields an error type, on purpose */
export function processorsReadTheJobsPayload(
  expire: OutboxJob<'orders.expire'>,
  capture: OutboxJob<'payments.capture'>,
): string {
  const amount: number = capture.data.amount;
  // @ts-expect-error a field the job's payload does not have
  const paymentId: string = expire.data.paymentId;
  // @ts-expect-error a field of the wrong type
  const orderId: number = expire.data.orderId;
  return `${amount}${paymentId}${orderId}`;
}
/* eslint-enable @typescript-eslint/no-unsafe-assignment */

// @ts-expect-error a processor cannot name a job that is not in the map
export type _UnknownJob = OutboxJob<'orders.expired'>;

// @ts-expect-error every job needs a route: a table without one does not compile
export const _incompleteRoutes: OutboxRoutes = { 'orders.expire': 'orders' };
