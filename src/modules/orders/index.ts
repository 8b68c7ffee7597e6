// The public surface of the orders feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { ORDERS_QUEUE, OrdersJobs } from './jobs/orders.jobs';
export { OrderCoreModule } from './order-core.module';
export { OrderLookup } from './order-lookup';
export { OrderReturns } from './order-returns';
export { awaitsPayment, canTransition } from './order-status';
export { ORDER_CANCELLATION_HOOKS, OrderTransitions } from './order-transitions';
export type { CancelledOrder, OrderCancellationHook, TransitionContext } from './order-transitions';
export { OrdersWorkerModule } from './orders-worker.module';
export { OrdersModule } from './orders.module';
