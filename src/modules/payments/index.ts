// The public surface of the payments feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { PaymentsCoreModule } from './payments-core.module';
export { PaymentReversalsService } from './settlement/payment-reversals.service';
export { PaymentsWorkerModule } from './payments-worker.module';
export { PAYMENTS_QUEUE, PaymentsJobs } from './payments.jobs';
export { PaymentsModule } from './payments.module';
export { RefundSalesFactsService } from './settlement/refund-sales-facts.service';
export type { RefundSalesFacts } from './payments.repository';
