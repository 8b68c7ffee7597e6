import { AppConfig } from '@app/config';
import { buildWithMocks, mockOf, type UnitFixture } from '@app/testing/unit-fixture';
import type { PostalAddress } from '@app/common';
import type { CartQuote } from '../../carts/cart-quotes.service';
import { Cart } from '../../carts/entities/cart.entity';
import { CartDto } from '../../carts/dto/cart.response.dto';
import { OutboxService } from '../../outbox/outbox.service';
import type { PaymentMethod } from '../entities/order.entity';
import { OrdersJobs } from '../jobs/orders.jobs';
import { OrderOpeningService, type NewOrderFromCart } from './order-opening.service';
import { OrdersRepository } from '../orders.repository';

const ADDRESS: PostalAddress = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: '1 Main St',
  city: 'Lyon',
  postalCode: '69001',
  country: 'FR',
};

const config = mockOf<AppConfig>({
  checkout: {
    priceMode: 'tax_inclusive',
    reservationTtlSeconds: 1800,
    maxCartLines: 50,
    orderNumberPrefix: 'SK-',
  },
  payments: {
    provider: 'sandbox',
    captureMethod: 'automatic',
    reconcileAfterSeconds: 60,
    reconcileEverySeconds: 60,
    sandboxWebhookSecret: '',
    sandboxWebhookUrl: '',
    sandboxSettleDelayMs: 0,
    stripeSecretKey: '',
    stripeWebhookSecret: '',
    stripeApiBaseUrl: '',
    bankTransferHoldDays: 7,
    bankTransferReminderHours: 48,
    bankTransferInstructions: '',
  },
});

const NOW = new Date('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;

function newOrder(paymentMethod: PaymentMethod, cart: Partial<Cart> = {}): NewOrderFromCart {
  const quote: CartQuote = {
    cart: Object.assign(new Cart(), {
      id: 'cart-1',
      customerId: null,
      tokenHash: 'guest-token-hash',
      shippingAddress: ADDRESS,
      billingAddress: null,
      ...cart,
    }),
    items: [],
    variants: new Map(),
    sellableItems: [],
    promotion: null,
    shippingMethod: null,
    taxRate: null,
    pricing: {
      currency: 'EUR',
      priceMode: 'tax_inclusive',
      subtotal: 1000,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 1000,
      taxRateBp: 0,
      promotion: null,
      freeShipping: null,
      lines: [],
    },
    view: new CartDto(),
  };
  return {
    orderId: 'order-1',
    quote,
    email: 'a@example.com',
    actor: 'guest:cart:cart-1',
    paymentMethod,
    now: NOW,
  };
}

describe('OrderOpeningService.open', () => {
  let fixture: UnitFixture<OrderOpeningService>;
  let orders: jest.Mocked<OrdersRepository>;
  let outbox: jest.Mocked<OutboxService>;
  const manager = mockOf<Parameters<OrderOpeningService['open']>[0]>();

  beforeEach(async () => {
    fixture = await buildWithMocks(OrderOpeningService, { provide: [[AppConfig, config]] });
    orders = fixture.mock(OrdersRepository);
    outbox = fixture.mock(OutboxService);
    orders.nextNumber.mockResolvedValue(42);
    orders.insert.mockImplementation((_manager, id, number, order, lines, at) =>
      Promise.resolve({
        order: {
          ...order,
          id,
          number,
          version: 1,
          paidAt: null,
          cancelledAt: null,
          paymentReminderSentAt: null,
          createdAt: at,
          updatedAt: at,
        },
        lines: [],
      }),
    );
  });

  /** The outbox messages written, as [job, delay]. */
  const delayedJobs = () => {
    const [, ...messages] = outbox.enqueue.mock.calls[0];
    return messages.map((message) => [message.jobName, message.delayMs]);
  };

  describe('the payment method’s deadline', () => {
    it('card: order.placed and an expiry at the end of the checkout reservation, no reminder', async () => {
      await fixture.subject.open(manager, newOrder('card'));
      expect(delayedJobs()).toEqual([
        ['order.placed', undefined],
        [OrdersJobs.expire, 1800 * 1000],
      ]);
      expect(orders.insert.mock.calls[0][3].expiresAt).toEqual(new Date(NOW.getTime() + 1800 * 1000));
    });

    it('bank transfer: an expiry after the hold and a reminder 48 hours before it', async () => {
      await fixture.subject.open(manager, newOrder('bank_transfer'));
      expect(delayedJobs()).toEqual([
        ['order.placed', undefined],
        [OrdersJobs.expire, 7 * 24 * HOUR],
        [OrdersJobs.remindPayment, 5 * 24 * HOUR],
      ]);
    });

    it('cash on delivery: only order.placed — nothing expires it', async () => {
      await fixture.subject.open(manager, newOrder('cash_on_delivery'));
      expect(delayedJobs()).toEqual([['order.placed', undefined]]);
      expect(orders.insert.mock.calls[0][3].expiresAt).toBeNull();
    });
  });

  describe('guest or customer', () => {
    it('a guest’s order keeps the cart token hash, so the guest can read it', async () => {
      await fixture.subject.open(manager, newOrder('card'));
      expect(orders.insert.mock.calls[0][3]).toMatchObject({
        customerId: null,
        tokenHash: 'guest-token-hash',
      });
    });

    it('a customer’s order is theirs alone: no token hash', async () => {
      await fixture.subject.open(manager, newOrder('card', { customerId: 'u1' }));
      expect(orders.insert.mock.calls[0][3]).toMatchObject({ customerId: 'u1', tokenHash: null });
    });
  });

  it('numbers the order from the sequence, bills the shipping address when no billing address is given', async () => {
    const order = await fixture.subject.open(manager, newOrder('card'));
    expect(order).toMatchObject({ id: 'order-1', number: 'SK-10042', status: 'pending_payment' });
    expect(orders.insert.mock.calls[0][3].billingAddress).toBe(ADDRESS);
    expect(orders.appendHistory).toHaveBeenCalledWith(manager, {
      orderId: 'order-1',
      fromStatus: null,
      toStatus: 'pending_payment',
      actor: 'guest:cart:cart-1',
      reason: 'checkout',
      createdAt: NOW,
    });
  });
});
