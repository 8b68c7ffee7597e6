// The public surface of the orders feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { ORDERS_QUEUE, OrdersJobs } from './jobs/orders.jobs';
export { OrdersCoreModule } from './orders-core.module';
export { OrderLookupService } from './order-lookup.service';
export { OrderReturnsService } from './lifecycle/order-returns.service';
export { awaitsPayment, canTransition } from './lifecycle/order-status';
export { ORDER_CANCELLATION_HOOKS, OrderTransitionsService } from './lifecycle/order-transitions.service';
export type {
  CancelledOrder,
  OrderCancellationHook,
  TransitionContext,
} from './lifecycle/order-transitions.service';
export { OrdersWorkerModule } from './orders-worker.module';
export { OrdersModule } from './orders.module';
export { OrderMailSourceModule } from './order-mail-source.module';
export { WebhookResourcesModule } from './webhook-resources.module';
export { OrderAudienceModule } from './audience/order-audience.module';
export { OrderSalesFactsService } from './order-sales-facts.service';
export type { OrderLineSalesFacts, OrderSalesFacts } from './orders.repository';
