import { FakeTransactions, mockOf } from '@app/testing/unit-fixture';
import type { OutboxService } from '../../outbox';
import type { DomainEventEnvelope } from '../events/domain-event-handler';
import type { OrderForMail, OrderMailSource } from './order-mail-source.port';
import { OrderMailService } from './order-mail.service';
import type { SentNotificationsRepository } from './sent-notifications.repository';

const ORDER: OrderForMail = {
  email: 'ann@example.test',
  name: 'Ann',
  number: 'SK-1',
  currency: 'EUR',
  paymentMethod: 'card',
  shippingMethodName: 'Standard',
  lines: [{ title: 'Tee', variantTitle: 'M', quantity: 1, total: 2500 }],
  totals: { subtotal: 2500, discount: 0, shipping: 490, tax: 477, total: 2990, taxIncluded: true },
  shipments: [{ carrier: 'UPS', trackingNumber: '1Z' }],
};
const base = { orderId: 'o1', number: 'SK-1', customerId: null, from: 'paid', to: 'shipped' };
const envelope = (type: string, payload: unknown): DomainEventEnvelope =>
  ({ id: 'outbox-9', type, timestamp: '2026-12-07T00:00:00.000Z', payload }) as DomainEventEnvelope;

describe('OrderMailService', () => {
  let transactions: FakeTransactions;
  let outbox: jest.Mocked<OutboxService>;
  let sent: jest.Mocked<SentNotificationsRepository>;
  let orders: jest.Mocked<OrderMailSource>;
  let service: OrderMailService;

  beforeEach(() => {
    transactions = new FakeTransactions();
    outbox = mockOf<OutboxService>({ enqueue: () => Promise.resolve() });
    sent = mockOf<SentNotificationsRepository>({ claim: () => Promise.resolve(true) });
    orders = mockOf<OrderMailSource>({ find: () => Promise.resolve(ORDER) });
    service = new OrderMailService(transactions.runner, sent, outbox, orders);
  });

  it('claims (event, template) and writes the mail in the same transaction, to the order’s address', async () => {
    await service.handle(envelope('order.shipped', base));
    expect(sent.claim).toHaveBeenCalledWith(transactions.tx, 'outbox-9', 'order-shipped');
    expect(outbox.enqueue).toHaveBeenCalledWith(transactions.tx, {
      jobName: 'mail.send',
      payload: expect.objectContaining({
        template: 'order-shipped',
        to: 'ann@example.test',
        sealedSecrets: {},
        data: expect.objectContaining({
          number: 'SK-1',
          shipments: [
            { carrier: 'UPS', trackingNumber: '1Z', trackingUrl: 'https://www.ups.com/track?tracknum=1Z' },
          ],
        }),
      }),
    });
  });

  it('writes nothing when the event was mailed before', async () => {
    sent.claim.mockResolvedValue(false);
    await service.handle(envelope('order.delivered', base));
    expect(outbox.enqueue).not.toHaveBeenCalled();
  });

  it('writes nothing for an order that is gone, and claims nothing either', async () => {
    orders.find.mockResolvedValue(null);
    await service.handle(envelope('order.delivered', base));
    expect(sent.claim).not.toHaveBeenCalled();
    expect(outbox.enqueue).not.toHaveBeenCalled();
  });

  it('mails refunds from payment.refunded only, with the refund’s amount', async () => {
    await service.handle(envelope('order.refunded', { ...base, complete: true }));
    expect(outbox.enqueue).not.toHaveBeenCalled();
    await service.handle(
      envelope('payment.refunded', {
        paymentId: 'p1',
        orderId: 'o1',
        provider: 'sandbox',
        amount: 700,
        currency: 'EUR',
        refundId: 'r1',
        refunded: 700,
        complete: false,
      }),
    );
    expect(outbox.enqueue).toHaveBeenCalledWith(transactions.tx, {
      jobName: 'mail.send',
      payload: expect.objectContaining({
        template: 'order-refunded',
        data: { name: 'Ann', number: 'SK-1', amount: 700, currency: 'EUR', complete: false },
      }),
    });
  });

  it('ignores events that mail nobody', async () => {
    await service.handle(
      envelope('inventory.low-stock', { variantId: 'v', sku: 's', available: 1, threshold: 2 }),
    );
    expect(orders.find).not.toHaveBeenCalled();
  });
});
