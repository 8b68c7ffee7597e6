import { buildWithMocks, mockOf, rejectionOf, type UnitFixture } from '@app/testing/unit-fixture';
import { ReservationsService } from '../../inventory/reservations.service';
import { OutboxService } from '../../outbox/outbox.service';
import { PromotionRedemptionsService } from '../../promotions/promotion-redemptions.service';
import { Order, ORDER_STATUSES, type OrderStatus, type PaymentMethod } from '../entities/order.entity';
import {
  ORDER_CANCELLATION_HOOKS,
  OrderTransitionsService,
  type OrderCancellationHook,
  type TransitionContext,
} from './order-transitions.service';
import { IllegalTransitionError } from '../orders.errors';
import { OrdersRepository } from '../orders.repository';

/**
 * The tables written out again, by hand, as the spec of the state machine: a change to
 * ORDER_TRANSITIONS or UNPAID_ON_DELIVERY_TRANSITIONS that is not also made here fails below.
 */
const PREPAID_MOVES = new Set([
  'pending_payment → paid',
  'pending_payment → cancelled',
  'paid → partially_fulfilled',
  'paid → fulfilled',
  'paid → cancelled',
  'paid → partially_refunded',
  'paid → refunded',
  'partially_fulfilled → partially_fulfilled',
  'partially_fulfilled → fulfilled',
  'partially_fulfilled → partially_refunded',
  'partially_fulfilled → refunded',
  'fulfilled → shipped',
  'fulfilled → partially_refunded',
  'fulfilled → refunded',
  'shipped → delivered',
  'shipped → partially_refunded',
  'shipped → refunded',
  'delivered → partially_refunded',
  'delivered → refunded',
  'partially_refunded → partially_refunded',
  'partially_refunded → refunded',
]);
const UNPAID_COD_MOVES = new Set([
  'pending_payment → paid',
  'pending_payment → partially_fulfilled',
  'pending_payment → fulfilled',
  'pending_payment → cancelled',
  'partially_fulfilled → partially_fulfilled',
  'partially_fulfilled → fulfilled',
  'fulfilled → shipped',
  'shipped → delivered',
]);

const PAIRS = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));
const PAID_AT = new Date('2026-12-01T10:00:00Z');
const CONTEXT: TransitionContext = { actor: 'user:staff', reason: 'because' };

const orderAt = (status: OrderStatus, paymentMethod: PaymentMethod, paidAt: Date | null): Order =>
  Object.assign(new Order(), {
    id: 'order-1',
    number: 'SK-10001',
    customerId: 'u1',
    status,
    paymentMethod,
    paidAt,
  });

describe('OrderTransitionsService', () => {
  let fixture: UnitFixture<OrderTransitionsService>;
  let orders: jest.Mocked<OrdersRepository>;
  let reservations: jest.Mocked<ReservationsService>;
  let promotions: jest.Mocked<PromotionRedemptionsService>;
  let outbox: jest.Mocked<OutboxService>;
  let hooks: Array<jest.Mocked<OrderCancellationHook>>;
  const tx = () => fixture.transactions.tx;

  beforeEach(async () => {
    hooks = [mockOf<OrderCancellationHook>(), mockOf<OrderCancellationHook>()];
    fixture = await buildWithMocks(OrderTransitionsService, { provide: [[ORDER_CANCELLATION_HOOKS, hooks]] });
    orders = fixture.mock(OrdersRepository);
    reservations = fixture.mock(ReservationsService);
    promotions = fixture.mock(PromotionRedemptionsService);
    outbox = fixture.mock(OutboxService);
  });

  /** Applies the move and answers whether it was allowed; a refusal must be the domain error and write nothing. */
  async function tryMove(order: Order, to: OrderStatus): Promise<boolean> {
    const from = order.status;
    const outcome = await fixture.subject.apply(tx(), order, to, CONTEXT).then(
      () => true,
      (error: unknown) => error,
    );
    if (outcome === true) {
      expect(orders.setStatus.mock.calls.map(([, id, status]) => [id, status])).toEqual([['order-1', to]]);
      expect(orders.appendHistory).toHaveBeenCalledWith(tx(), {
        orderId: 'order-1',
        fromStatus: from,
        toStatus: to,
        actor: 'user:staff',
        reason: 'because',
      });
      expect(order.status).toBe(to);
      return true;
    }
    expect(outcome).toBeInstanceOf(IllegalTransitionError);
    expect((outcome as IllegalTransitionError).extensions).toEqual({
      currentStatus: from,
      requestedStatus: to,
    });
    expect(orders.setStatus).not.toHaveBeenCalled();
    expect(orders.appendHistory).not.toHaveBeenCalled();
    expect(outbox.enqueue).not.toHaveBeenCalled();
    expect(order.status).toBe(from);
    return false;
  }

  describe('every (status, target) pair of a prepaid order', () => {
    it.each(PAIRS)('%s → %s', async (from, to) => {
      for (const method of ['card', 'bank_transfer'] as const) {
        jest.clearAllMocks();
        const paidAt = from === 'pending_payment' ? null : PAID_AT;
        await expect(tryMove(orderAt(from, method, paidAt), to)).resolves.toBe(
          PREPAID_MOVES.has(`${from} → ${to}`),
        );
      }
      // Once its payment is recorded, a cash-on-delivery order follows the same table.
      if (from !== 'pending_payment') {
        jest.clearAllMocks();
        await expect(tryMove(orderAt(from, 'cash_on_delivery', PAID_AT), to)).resolves.toBe(
          PREPAID_MOVES.has(`${from} → ${to}`),
        );
      }
    });
  });

  describe('every (status, target) pair of an unpaid cash-on-delivery order', () => {
    it.each(PAIRS)('%s → %s', async (from, to) => {
      await expect(tryMove(orderAt(from, 'cash_on_delivery', null), to)).resolves.toBe(
        UNPAID_COD_MOVES.has(`${from} → ${to}`),
      );
    });
  });

  describe('what a move does besides the status', () => {
    it('cancelling releases the active reservation and the promotion use, then calls every cancellation hook', async () => {
      reservations.statusOf.mockResolvedValue('active');
      const order = orderAt('paid', 'card', PAID_AT);
      await fixture.subject.apply(tx(), order, 'cancelled', CONTEXT);
      expect(reservations.settleWithin).toHaveBeenCalledWith(
        tx(),
        { reference: 'order:order-1' },
        'user:staff',
        'released',
      );
      expect(promotions.releaseWithin).toHaveBeenCalledWith(tx(), 'order-1');
      expect(orders.setStatus).toHaveBeenCalledWith(tx(), 'order-1', 'cancelled', {
        cancelledAt: expect.any(Date),
        expiresAt: null,
      });
      for (const hook of hooks) expect(hook.orderCancelled).toHaveBeenCalledWith(tx(), order, CONTEXT);
    });

    it('cancelling leaves a reservation that is already settled alone', async () => {
      reservations.statusOf.mockResolvedValue('committed');
      await fixture.subject.apply(tx(), orderAt('pending_payment', 'card', null), 'cancelled', CONTEXT);
      expect(reservations.settleWithin).not.toHaveBeenCalled();
      expect(promotions.releaseWithin).toHaveBeenCalled();
    });

    it('a cancellation hook that fails fails the cancellation (the caller’s transaction rolls back)', async () => {
      hooks[0].orderCancelled.mockRejectedValue(new Error('refund could not be queued'));
      await expect(
        fixture.subject.apply(tx(), orderAt('paid', 'card', PAID_AT), 'cancelled', CONTEXT),
      ).rejects.toThrow('refund could not be queued');
      expect(hooks[1].orderCancelled).not.toHaveBeenCalled();
      expect(orders.appendHistory).not.toHaveBeenCalled();
    });

    it('announces order.cancelled with refundDue when the order had been paid', async () => {
      await fixture.subject.apply(tx(), orderAt('paid', 'card', PAID_AT), 'cancelled', CONTEXT);
      expect(outbox.enqueue).toHaveBeenCalledWith(tx(), {
        jobName: 'order.cancelled',
        payload: {
          orderId: 'order-1',
          number: 'SK-10001',
          customerId: 'u1',
          from: 'paid',
          to: 'cancelled',
          reason: 'because',
          refundDue: true,
        },
      });
    });

    it('a full refund returns what the reservation still holds but keeps the promotion use', async () => {
      reservations.statusOf.mockResolvedValue('active');
      await fixture.subject.apply(tx(), orderAt('partially_fulfilled', 'card', PAID_AT), 'refunded', CONTEXT);
      expect(reservations.settleWithin).toHaveBeenCalledWith(
        tx(),
        { reference: 'order:order-1' },
        'user:staff',
        'released',
      );
      expect(promotions.releaseWithin).not.toHaveBeenCalled();
      for (const hook of hooks) expect(hook.orderCancelled).not.toHaveBeenCalled();
    });

    it('a partial refund touches no stock', async () => {
      await fixture.subject.apply(tx(), orderAt('delivered', 'card', PAID_AT), 'partially_refunded', CONTEXT);
      expect(reservations.statusOf).not.toHaveBeenCalled();
      expect(outbox.enqueue.mock.calls[0][1]).toMatchObject({
        jobName: 'order.refunded',
        payload: { complete: false },
      });
    });

    it('paying ends the deadline and records paidAt on the order', async () => {
      const order = orderAt('pending_payment', 'card', null);
      await fixture.subject.apply(tx(), order, 'paid', CONTEXT);
      expect(orders.setStatus).toHaveBeenCalledWith(tx(), 'order-1', 'paid', {
        paidAt: order.paidAt,
        expiresAt: null,
      });
      expect(order.paidAt).toBeInstanceOf(Date);
      expect(outbox.enqueue.mock.calls[0][1]).toMatchObject({ jobName: 'order.paid' });
    });

    it('a fulfilment names itself in order.fulfilled', async () => {
      await fixture.subject.apply(tx(), orderAt('paid', 'card', PAID_AT), 'fulfilled', {
        ...CONTEXT,
        fulfilmentId: 'f1',
      });
      expect(outbox.enqueue.mock.calls[0][1]).toMatchObject({
        jobName: 'order.fulfilled',
        payload: { fulfilmentId: 'f1', complete: true },
      });
    });

    it('tells staff how to pay an unpaid cash-on-delivery order that went out, instead of moving it to paid', async () => {
      const error = await rejectionOf(
        fixture.subject.apply(tx(), orderAt('shipped', 'cash_on_delivery', null), 'paid', CONTEXT),
        IllegalTransitionError,
      );
      expect(error.message).toContain('record the payment');
    });
  });

  describe('markPaid', () => {
    it('moves an order awaiting payment to paid', async () => {
      const order = orderAt('pending_payment', 'bank_transfer', null);
      await fixture.subject.markPaid(tx(), order, CONTEXT);
      expect(order.status).toBe('paid');
      expect(orders.setStatus).toHaveBeenCalledWith(
        tx(),
        'order-1',
        'paid',
        expect.objectContaining({ expiresAt: null }),
      );
    });

    it('marks an unpaid cash-on-delivery order paid in place, without moving it back', async () => {
      const order = orderAt('delivered', 'cash_on_delivery', null);
      await fixture.subject.markPaid(tx(), order, { actor: 'user:staff', reason: null });
      expect(order.status).toBe('delivered');
      expect(order.paidAt).toBeInstanceOf(Date);
      expect(orders.setStatus).toHaveBeenCalledWith(tx(), 'order-1', 'delivered', {
        paidAt: order.paidAt,
        expiresAt: null,
      });
      expect(orders.appendHistory).toHaveBeenCalledWith(
        tx(),
        expect.objectContaining({
          fromStatus: 'delivered',
          toStatus: 'delivered',
          reason: 'payment recorded',
        }),
      );
      expect(outbox.enqueue.mock.calls[0][1]).toMatchObject({
        jobName: 'order.paid',
        payload: { from: 'delivered', to: 'delivered' },
      });
    });

    it.each([
      ['a paid order', orderAt('shipped', 'card', PAID_AT)],
      ['an unpaid card order that somehow shipped', orderAt('shipped', 'card', null)],
      ['a cancelled cash-on-delivery order', orderAt('cancelled', 'cash_on_delivery', null)],
      ['a cash-on-delivery order already paid', orderAt('delivered', 'cash_on_delivery', PAID_AT)],
    ])('refuses %s', async (_label, order) => {
      await expect(fixture.subject.markPaid(tx(), order, CONTEXT)).rejects.toBeInstanceOf(
        IllegalTransitionError,
      );
      expect(orders.setStatus).not.toHaveBeenCalled();
      expect(outbox.enqueue).not.toHaveBeenCalled();
    });
  });
});
