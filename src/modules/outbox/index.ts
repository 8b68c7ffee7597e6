// The public surface of the outbox feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { MAINTENANCE_QUEUE } from './jobs/outbox.jobs';
export { OUTBOX_ROUTES } from './outbox-jobs';
export type { OutboxJob, OutboxRoutes } from './outbox-jobs';
export { OutboxQueues } from './outbox-relay.service';
export { OutboxWorkerModule } from './outbox-worker.module';
export { OutboxModule } from './outbox.module';
export { OutboxService } from './outbox.service';
export type { NewOutboxMessage } from './outbox.service';
