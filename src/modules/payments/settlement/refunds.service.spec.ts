import type { RequestActor } from '@app/common';
import { buildWithMocks, mockOf, rejectionOf, type UnitFixture } from '@app/testing/unit-fixture';
import { AuditService } from '../../audit/audit.service';
import { Order, type OrderStatus } from '../../orders/entities/order.entity';
import { OrderLookupService } from '../../orders/order-lookup.service';
import { OrderReturnsService } from '../../orders/lifecycle/order-returns.service';
import { OrderTransitionsService } from '../../orders/lifecycle/order-transitions.service';
import { OutboxService } from '../../outbox/outbox.service';
import { Payment, PaymentRefund, PAYMENT_STATES, type PaymentState } from '../entities/payment.entity';
import { PaymentsJobs } from '../payments.jobs';
import { PaymentNotFoundError, RefundNotPossibleError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type PaymentProvider,
} from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';
import { LATE_PAYMENT_REFUNDER, RefundsService } from './refunds.service';

const STAFF: RequestActor = {
  principal: { kind: 'user', userId: 'staff-1', sessionId: 's', role: 'staff', permissions: new Set() },
  requestId: 'r',
  ip: '127.0.0.1',
  userAgent: 'jest',
};
const AT = new Date('2026-12-01T10:00:00Z');

const paymentIn = (state: PaymentState, fields: Partial<Payment> = {}): Payment =>
  Object.assign(new Payment(), {
    id: 'pay-1',
    orderId: 'order-1',
    provider: 'sandbox',
    providerReference: 'sbx_1',
    amount: 1000,
    currency: 'EUR',
    state,
    capturedAmount: 1000,
    refundedAmount: 0,
    ...fields,
  });
const refundOf = (amount: number, fields: Partial<PaymentRefund> = {}): PaymentRefund =>
  Object.assign(new PaymentRefund(), {
    id: 'ref-1',
    paymentId: 'pay-1',
    amount,
    state: 'pending',
    providerReference: null,
    reason: 'damaged',
    requestedBy: 'user:staff-1',
    createdAt: AT,
    updatedAt: AT,
    ...fields,
  });
const orderIn = (status: OrderStatus): Order =>
  Object.assign(new Order(), { id: 'order-1', status, paymentMethod: 'card', paidAt: AT });

describe('RefundsService', () => {
  let fixture: UnitFixture<RefundsService>;
  let payments: jest.Mocked<PaymentsRepository>;
  let provider: jest.Mocked<PaymentProvider>;
  let transitions: jest.Mocked<OrderTransitionsService>;
  let outbox: jest.Mocked<OutboxService>;
  let returns: jest.Mocked<OrderReturnsService>;
  let lookup: jest.Mocked<OrderLookupService>;
  const tx = () => fixture.transactions.tx;

  beforeEach(async () => {
    fixture = await buildWithMocks(RefundsService);
    payments = fixture.mock(PaymentsRepository);
    transitions = fixture.mock(OrderTransitionsService);
    outbox = fixture.mock(OutboxService);
    returns = fixture.mock(OrderReturnsService);
    lookup = fixture.mock(OrderLookupService);
    provider = mockOf<PaymentProvider>();
    fixture.mock(PaymentProviderRegistry).get.mockReturnValue(provider);
  });

  describe('request (staff ask for a refund)', () => {
    beforeEach(() => {
      payments.lockById.mockResolvedValue(paymentIn('captured'));
      payments.committedRefundTotal.mockResolvedValue(0);
      payments.insertRefund.mockImplementation((_manager, fields) =>
        Promise.resolve(refundOf(fields.amount)),
      );
    });

    it('records a partial refund and queues its job, in one transaction', async () => {
      const dto = await fixture.subject.request(STAFF, 'pay-1', { amount: 300, reason: 'damaged' });
      expect(payments.insertRefund).toHaveBeenCalledWith(tx(), {
        paymentId: 'pay-1',
        amount: 300,
        reason: 'damaged',
        requestedBy: 'user:staff-1',
      });
      expect(outbox.enqueue).toHaveBeenCalledWith(tx(), {
        jobName: PaymentsJobs.refund,
        payload: { refundId: 'ref-1' },
      });
      expect(dto).toMatchObject({ id: 'ref-1', amount: 300, currency: 'EUR', state: 'pending' });
      expect(fixture.mock(AuditService).record).toHaveBeenCalledWith(tx(), STAFF, {
        action: 'payment.refund-requested',
        target: { type: 'payment', id: 'pay-1' },
        details: { refundId: 'ref-1', amount: 300 },
      });
      expect(returns.restockWithin).not.toHaveBeenCalled();
    });

    it('allows exactly what is left after earlier refunds that did not fail', async () => {
      payments.lockById.mockResolvedValue(paymentIn('partially_refunded'));
      payments.committedRefundTotal.mockResolvedValue(700);
      await expect(fixture.subject.request(STAFF, 'pay-1', { amount: 300 })).resolves.toMatchObject({
        amount: 300,
      });
    });

    it('refuses an over-refund, naming what is still refundable', async () => {
      payments.committedRefundTotal.mockResolvedValue(700);
      const error = await rejectionOf(
        fixture.subject.request(STAFF, 'pay-1', { amount: 301 }),
        RefundNotPossibleError,
      );
      expect(error.extensions).toEqual({ refundable: 300 });
      expect(payments.insertRefund).not.toHaveBeenCalled();
      expect(outbox.enqueue).not.toHaveBeenCalled();
    });

    it('measures a partial capture by what was captured, not what was authorized', async () => {
      payments.lockById.mockResolvedValue(paymentIn('captured', { capturedAmount: 400 }));
      await expect(fixture.subject.request(STAFF, 'pay-1', { amount: 401 })).rejects.toBeInstanceOf(
        RefundNotPossibleError,
      );
    });

    it.each(PAYMENT_STATES.filter((state) => state !== 'captured' && state !== 'partially_refunded'))(
      'refuses to refund a %s payment',
      async (state) => {
        payments.lockById.mockResolvedValue(paymentIn(state));
        const error = await rejectionOf(
          fixture.subject.request(STAFF, 'pay-1', { amount: 1 }),
          RefundNotPossibleError,
        );
        expect(error.extensions).toEqual({ state });
        expect(payments.insertRefund).not.toHaveBeenCalled();
      },
    );

    it('answers not-found for an unknown payment', async () => {
      payments.lockById.mockResolvedValue(null);
      await expect(fixture.subject.request(STAFF, 'nope', { amount: 1 })).rejects.toBeInstanceOf(
        PaymentNotFoundError,
      );
    });

    it('puts returned units back into stock with the refund', async () => {
      const restock = [{ orderLineId: 'line-1', quantity: 1 }];
      await fixture.subject.request(STAFF, 'pay-1', { amount: 300, restock, restockLocationId: 'loc-1' });
      expect(returns.restockWithin).toHaveBeenCalledWith(
        tx(),
        'order-1',
        restock,
        'loc-1',
        'user:staff-1',
        'refund ref-1',
      );
    });
  });

  describe('execute (the job)', () => {
    /** The refund is pending when the job starts and when it records the answer. */
    function pending(refund: PaymentRefund, payment: Payment) {
      payments.lockRefund.mockResolvedValue(refund);
      payments.findById.mockResolvedValue(payment);
      payments.lockById.mockResolvedValue(payment);
      lookup.lock.mockResolvedValue(orderIn('delivered'));
    }

    it('refunds at the provider keyed by the refund id, and records a partial refund on payment and order', async () => {
      pending(refundOf(300), paymentIn('captured'));
      provider.refund.mockResolvedValue({
        reference: 're_1',
        state: 'succeeded',
        amount: 300,
        currency: 'eur',
      });
      await fixture.subject.execute('ref-1');
      expect(provider.refund).toHaveBeenCalledWith('sbx_1', 300, 'ref-1:refund');
      expect(payments.setRefund).toHaveBeenCalledWith(tx(), 'ref-1', {
        state: 'succeeded',
        providerReference: 're_1',
      });
      expect(payments.update).toHaveBeenCalledWith(tx(), 'pay-1', {
        refundedAmount: 300,
        state: 'partially_refunded',
      });
      expect(outbox.enqueue.mock.calls[0][1].payload).toMatchObject({ refunded: 300, complete: false });
      expect(transitions.apply).toHaveBeenCalledWith(tx(), orderIn('delivered'), 'partially_refunded', {
        actor: 'user:staff-1',
        reason: 'damaged',
      });
    });

    it('marks payment and order refunded once everything captured went back', async () => {
      pending(refundOf(400), paymentIn('partially_refunded', { refundedAmount: 600 }));
      provider.refund.mockResolvedValue({
        reference: 're_2',
        state: 'succeeded',
        amount: 400,
        currency: 'eur',
      });
      await fixture.subject.execute('ref-1');
      expect(payments.update).toHaveBeenCalledWith(tx(), 'pay-1', {
        refundedAmount: 1000,
        state: 'refunded',
      });
      expect(transitions.apply.mock.calls[0][2]).toBe('refunded');
    });

    it('leaves an order that cannot move there as it is', async () => {
      pending(refundOf(400), paymentIn('captured'));
      lookup.lock.mockResolvedValue(orderIn('cancelled'));
      provider.refund.mockResolvedValue({
        reference: 're_3',
        state: 'succeeded',
        amount: 400,
        currency: 'eur',
      });
      await fixture.subject.execute('ref-1');
      expect(transitions.apply).not.toHaveBeenCalled();
    });

    it('does not move the order for money given back because it came late', async () => {
      pending(refundOf(1000, { requestedBy: LATE_PAYMENT_REFUNDER }), paymentIn('captured'));
      provider.refund.mockResolvedValue({
        reference: 're_4',
        state: 'succeeded',
        amount: 1000,
        currency: 'eur',
      });
      await fixture.subject.execute('ref-1');
      expect(payments.update).toHaveBeenCalled();
      expect(lookup.lock).not.toHaveBeenCalled();
      expect(transitions.apply).not.toHaveBeenCalled();
    });

    it('records a manual payment’s refund without asking any provider', async () => {
      pending(refundOf(300), paymentIn('captured', { provider: 'manual', providerReference: null }));
      await fixture.subject.execute('ref-1');
      expect(provider.refund).not.toHaveBeenCalled();
      expect(payments.setRefund).toHaveBeenCalledWith(tx(), 'ref-1', {
        state: 'succeeded',
        providerReference: null,
      });
    });

    it.each([
      ['settled already (the job ran twice)', refundOf(300, { state: 'succeeded' })],
      ['failed already', refundOf(300, { state: 'failed' })],
      ['gone', null],
    ])('does nothing for a refund %s', async (_label, refund) => {
      payments.lockRefund.mockResolvedValue(refund);
      await fixture.subject.execute('ref-1');
      expect(provider.refund).not.toHaveBeenCalled();
      expect(payments.setRefund).not.toHaveBeenCalled();
    });

    it('fails the refund and flags the payment when the provider refuses it', async () => {
      pending(refundOf(300), paymentIn('captured'));
      provider.refund.mockRejectedValue(new ProviderRejectedError('sandbox', 'charge_disputed', 'disputed'));
      await fixture.subject.execute('ref-1');
      expect(payments.setRefund).toHaveBeenCalledWith(tx(), 'ref-1', {
        state: 'failed',
        reason: 'damaged (sandbox refused: disputed)',
      });
      expect(payments.flag).toHaveBeenCalledWith(
        tx(),
        paymentIn('captured'),
        expect.stringContaining('refund ref-1 of 300 failed'),
      );
      expect(payments.attempt).toHaveBeenCalledWith(
        tx(),
        expect.objectContaining({ operation: 'refund', outcome: 'failed' }),
      );
      expect(payments.update).not.toHaveBeenCalled();
      expect(transitions.apply).not.toHaveBeenCalled();
    });

    it('fails the refund when the provider answers that it failed', async () => {
      pending(refundOf(300), paymentIn('captured'));
      provider.refund.mockResolvedValue({ reference: 're_5', state: 'failed', amount: 300, currency: 'eur' });
      await fixture.subject.execute('ref-1');
      expect(payments.setRefund.mock.calls[0][2]).toMatchObject({ state: 'failed' });
      expect(payments.flag).toHaveBeenCalled();
    });

    it('lets provider trouble through so the job is retried, recording nothing', async () => {
      pending(refundOf(300), paymentIn('captured'));
      const trouble = new ProviderUnavailableError('sandbox', new Error('503'));
      provider.refund.mockRejectedValue(trouble);
      await expect(fixture.subject.execute('ref-1')).rejects.toBe(trouble);
      expect(payments.setRefund).not.toHaveBeenCalled();
      expect(fixture.transactions.transactions).toHaveLength(1);
    });
  });

  describe('failWithin (a refund.failed event after success)', () => {
    it('takes a refund that had succeeded back out of the refunded total', async () => {
      payments.lockById.mockResolvedValue(paymentIn('refunded', { refundedAmount: 1000 }));
      await fixture.subject.failWithin(tx(), refundOf(400, { state: 'succeeded' }), 'bank returned it');
      expect(payments.update).toHaveBeenCalledWith(tx(), 'pay-1', {
        refundedAmount: 600,
        state: 'partially_refunded',
      });
      expect(payments.flag).toHaveBeenCalled();
    });

    it('goes back to captured when nothing else was refunded', async () => {
      payments.lockById.mockResolvedValue(paymentIn('partially_refunded', { refundedAmount: 400 }));
      await fixture.subject.failWithin(tx(), refundOf(400, { state: 'succeeded' }), 'x');
      expect(payments.update).toHaveBeenCalledWith(tx(), 'pay-1', { refundedAmount: 0, state: 'captured' });
    });

    it('is a no-op for a refund already failed', async () => {
      await fixture.subject.failWithin(tx(), refundOf(400, { state: 'failed' }), 'x');
      expect(payments.setRefund).not.toHaveBeenCalled();
      expect(payments.flag).not.toHaveBeenCalled();
    });
  });
});
