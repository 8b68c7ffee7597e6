import type { Job } from 'bull';

/**
 * Every job that goes through the outbox, by job name, with the payload it carries: one map, used to
 * type both ends, `OutboxService.enqueue` and the processors. It is empty here on purpose: each
 * feature declares its own jobs beside its job contract (`jobs/*.jobs.ts`) by merging into this
 * interface (`declare module '…/outbox/outbox-jobs' { interface OutboxJobs { … } }`), so the outbox
 * never imports the features that depend on it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface OutboxJobs {}

export type OutboxJobName = keyof OutboxJobs;

/**
 * One message to write to the outbox: a job name and the payload that job takes (a discriminated
 * union, so a payload of the wrong shape for its job name does not compile). `delayMs` delays the
 * Bull job that far past its publication.
 */
export type NewOutboxMessage<K extends OutboxJobName = OutboxJobName> = {
  [J in K]: { jobName: J; payload: OutboxJobs[J]; delayMs?: number };
}[K];

/** What a processor's `@Process(name)` handler receives for an outbox job. */
export type OutboxJob<K extends OutboxJobName> = Job<OutboxJobs[K]>;

/**
 * The queue each outbox job is published to (its processor's queue). The table itself is built where
 * every queue is known (src/bootstrap/outbox-routes.ts, given to QueuesModule) and injected under OUTBOX_ROUTES; a job without a route does not
 * compile there.
 */
export type OutboxRoutes<Queue extends string = string> = { readonly [K in OutboxJobName]: Queue };
export const OUTBOX_ROUTES = Symbol('OUTBOX_ROUTES');
