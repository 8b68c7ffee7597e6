import { Init1795477683283 } from './migrations/1795477683283-Init';
import { Identity1795486376348 } from './migrations/1795486376348-Identity';
import { EmailExactMatch1795487000000 } from './migrations/1795487000000-EmailExactMatch';
import { CatalogInventory1795493060328 } from './migrations/1795493060328-CatalogInventory';
import { InventoryChecks1795493100000 } from './migrations/1795493100000-InventoryChecks';
import { CatalogJobs1795493983271 } from './migrations/1795493983271-CatalogJobs';
import { StorefrontReadModel1795496321313 } from './migrations/1795496321313-StorefrontReadModel';
import { Promotions1795502192311 } from './migrations/1795502192311-Promotions';
import { ShippingTaxes1795502410103 } from './migrations/1795502410103-ShippingTaxes';
import { IdempotencyKeys1795502468760 } from './migrations/1795502468760-IdempotencyKeys';
import { CartsOrders1795502500000 } from './migrations/1795502500000-CartsOrders';
import { Payments1795505831092 } from './migrations/1795505831092-Payments';
import { RefundReferenceUnique1795514607148 } from './migrations/1795514607148-RefundReferenceUnique';
import { PaymentGivenBack1795529626764 } from './migrations/1795529626764-PaymentGivenBack';
import { PaymentReminders1796616751411 } from './migrations/1796616751411-PaymentReminders';
import { PaymentReconcileRestock1795511514418 } from './migrations/1795511514418-PaymentReconcileRestock';
import { PaymentAttemptOperation1795508752198 } from './migrations/1795508752198-PaymentAttemptOperation';
import { StorefrontMoneyShape1796620000000 } from './migrations/1796620000000-StorefrontMoneyShape';
import { Webhooks1797000000001 } from './migrations/1797000000001-Webhooks';
import { NotificationsSent1797200000001 } from './migrations/1797200000001-NotificationsSent';
import { SalesRollups1798000000001 } from './migrations/1798000000001-SalesRollups';
import { SalesCustomers1798100000001 } from './migrations/1798100000001-SalesCustomers';
import { ProductSalesRollups1798200000001 } from './migrations/1798200000001-ProductSalesRollups';
import { SalesDaily1798300000001 } from './migrations/1798300000001-SalesDaily';
import { OutboxTraceContext1798400000001 } from './migrations/1798400000001-OutboxTraceContext';
import { StorefrontSearchTerms1798500000001 } from './migrations/1798500000001-StorefrontSearchTerms';

// Every migration, in order. Listed explicitly (not globbed) so the app loads the same set from
// TypeScript under Jest and from the compiled build; a unit test fails when a file is not listed.
export const MIGRATIONS: Function[] = [
  Init1795477683283,
  Identity1795486376348,
  EmailExactMatch1795487000000,
  CatalogInventory1795493060328,
  InventoryChecks1795493100000,
  CatalogJobs1795493983271,
  StorefrontReadModel1795496321313,
  Promotions1795502192311,
  ShippingTaxes1795502410103,
  IdempotencyKeys1795502468760,
  CartsOrders1795502500000,
  Payments1795505831092,
  PaymentAttemptOperation1795508752198,
  PaymentReconcileRestock1795511514418,
  RefundReferenceUnique1795514607148,
  PaymentGivenBack1795529626764,
  PaymentReminders1796616751411,
  StorefrontMoneyShape1796620000000,
  Webhooks1797000000001,
  NotificationsSent1797200000001,
  SalesRollups1798000000001,
  SalesCustomers1798100000001,
  ProductSalesRollups1798200000001,
  SalesDaily1798300000001,
  OutboxTraceContext1798400000001,
  StorefrontSearchTerms1798500000001,
];
