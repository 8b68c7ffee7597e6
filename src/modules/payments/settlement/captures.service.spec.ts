import type { RequestActor } from '@app/common';
import { buildWithMocks, mockOf, rejectionOf, type UnitFixture } from '@app/testing/unit-fixture';
import { AuditService } from '../../audit/audit.service';
import { OutboxService } from '../../outbox/outbox.service';
import { CapturesService } from './captures.service';
import { Payment, PAYMENT_STATES, type PaymentState } from '../entities/payment.entity';
import { PaymentsJobs } from '../payments.jobs';
import { PaymentSettlementService } from './payment-settlement.service';
import { PaymentNotFoundError, CaptureNotPossibleError } from '../payments.errors';
import { PaymentsRepository } from '../payments.repository';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type PaymentProvider,
  type ProviderPayment,
} from '../providers/payment-provider';
import { PaymentProviderRegistry } from '../providers/payment-provider.registry';

const STAFF: RequestActor = {
  principal: { kind: 'user', userId: 'staff-1', sessionId: 's', role: 'admin', permissions: new Set() },
  requestId: 'r',
  ip: '127.0.0.1',
  userAgent: 'jest',
};

const paymentIn = (state: PaymentState, fields: Partial<Payment> = {}): Payment =>
  Object.assign(new Payment(), {
    id: 'pay-1',
    orderId: 'order-1',
    provider: 'sandbox',
    providerReference: 'sbx_1',
    amount: 1000,
    currency: 'EUR',
    state,
    capturedAmount: 0,
    refundedAmount: 0,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    updatedAt: new Date('2026-12-01T10:00:00Z'),
    ...fields,
  });

const answer = (state: ProviderPayment['state']): ProviderPayment => ({
  reference: 'sbx_1',
  state,
  amount: 1000,
  currency: 'eur',
});

describe('CapturesService', () => {
  let fixture: UnitFixture<CapturesService>;
  let payments: jest.Mocked<PaymentsRepository>;
  let settlement: jest.Mocked<PaymentSettlementService>;
  let outbox: jest.Mocked<OutboxService>;
  let audit: jest.Mocked<AuditService>;
  let provider: jest.Mocked<PaymentProvider>;

  beforeEach(async () => {
    fixture = await buildWithMocks(CapturesService);
    payments = fixture.mock(PaymentsRepository);
    settlement = fixture.mock(PaymentSettlementService);
    outbox = fixture.mock(OutboxService);
    audit = fixture.mock(AuditService);
    provider = mockOf<PaymentProvider>();
    fixture.mock(PaymentProviderRegistry).get.mockReturnValue(provider);
    payments.attemptsOf.mockResolvedValue([]);
  });

  describe('request (staff ask for a capture)', () => {
    it('queues the capture of the whole authorization and audits it, in one transaction', async () => {
      payments.lockById.mockResolvedValue(paymentIn('authorized'));
      const dto = await fixture.subject.request(STAFF, 'pay-1', {});
      expect(outbox.enqueue).toHaveBeenCalledWith(fixture.transactions.tx, {
        jobName: PaymentsJobs.capture,
        payload: { paymentId: 'pay-1', amount: 1000 },
      });
      expect(audit.record).toHaveBeenCalledWith(fixture.transactions.tx, STAFF, {
        action: 'payment.capture-requested',
        target: { type: 'payment', id: 'pay-1' },
        details: { amount: 1000 },
      });
      expect(dto).toMatchObject({ id: 'pay-1', state: 'authorized', attempts: [] });
    });

    it('queues a partial capture of part of the authorization', async () => {
      payments.lockById.mockResolvedValue(paymentIn('authorized'));
      await fixture.subject.request(STAFF, 'pay-1', { amount: 400 });
      expect(outbox.enqueue.mock.calls[0][1].payload).toEqual({ paymentId: 'pay-1', amount: 400 });
    });

    it('refuses more than was authorized', async () => {
      payments.lockById.mockResolvedValue(paymentIn('authorized'));
      const error = await rejectionOf(
        fixture.subject.request(STAFF, 'pay-1', { amount: 1001 }),
        CaptureNotPossibleError,
      );
      expect(error.extensions).toEqual({ authorized: 1000 });
      expect(outbox.enqueue).not.toHaveBeenCalled();
    });

    it.each(PAYMENT_STATES.filter((state) => state !== 'authorized'))(
      'refuses to capture a %s payment (a second capture included)',
      async (state) => {
        payments.lockById.mockResolvedValue(paymentIn(state));
        const error = await rejectionOf(fixture.subject.request(STAFF, 'pay-1', {}), CaptureNotPossibleError);
        expect(error.extensions).toEqual({ state });
        expect(outbox.enqueue).not.toHaveBeenCalled();
        expect(audit.record).not.toHaveBeenCalled();
      },
    );

    it('answers not-found for an unknown payment', async () => {
      payments.lockById.mockResolvedValue(null);
      await expect(fixture.subject.request(STAFF, 'nope', {})).rejects.toBeInstanceOf(PaymentNotFoundError);
    });
  });

  describe('capture (the job)', () => {
    beforeEach(() => payments.findById.mockResolvedValue(paymentIn('authorized')));

    it('captures at the provider with one idempotency key and applies the answer', async () => {
      provider.capture.mockResolvedValue(answer('captured'));
      payments.lockById.mockResolvedValue(paymentIn('authorized'));
      await fixture.subject.capture('pay-1', 600);
      expect(provider.capture).toHaveBeenCalledWith('sbx_1', 600, 'pay-1:capture');
      expect(settlement.apply).toHaveBeenCalledWith(fixture.transactions.tx, paymentIn('authorized'), {
        state: 'captured',
        capturedAmount: 600,
        at: expect.any(Date),
        source: 'capture',
      });
    });

    it.each([
      ['captured already (the job ran twice)', paymentIn('captured')],
      ['voided', paymentIn('voided')],
      ['without a provider reference', paymentIn('authorized', { providerReference: null })],
      ['gone', null],
    ])('does nothing for a payment %s', async (_label, payment) => {
      payments.findById.mockResolvedValue(payment);
      await fixture.subject.capture('pay-1', 1000);
      expect(provider.capture).not.toHaveBeenCalled();
      expect(settlement.apply).not.toHaveBeenCalled();
    });

    it('records a refusal by the provider as an attempt, and does not retry', async () => {
      provider.capture.mockRejectedValue(
        new ProviderRejectedError('sandbox', 'expired', 'authorization expired'),
      );
      await expect(fixture.subject.capture('pay-1', 1000)).resolves.toBeUndefined();
      expect(payments.attempt).toHaveBeenCalledWith(fixture.transactions.tx, {
        paymentId: 'pay-1',
        operation: 'capture',
        outcome: 'refused',
        detail: 'sandbox refused: authorization expired',
        idempotencyKey: 'pay-1:capture',
      });
      expect(settlement.apply).not.toHaveBeenCalled();
    });

    it('lets provider trouble through so the job is retried', async () => {
      const trouble = new ProviderUnavailableError('sandbox', new Error('ECONNRESET'));
      provider.capture.mockRejectedValue(trouble);
      await expect(fixture.subject.capture('pay-1', 1000)).rejects.toBe(trouble);
      expect(payments.attempt).not.toHaveBeenCalled();
    });
  });

  describe('void (the job)', () => {
    it('voids an authorized payment with its own idempotency key', async () => {
      payments.findById.mockResolvedValue(paymentIn('authorized'));
      payments.lockById.mockResolvedValue(paymentIn('authorized'));
      provider.void.mockResolvedValue(answer('voided'));
      await fixture.subject.void('pay-1');
      expect(provider.void).toHaveBeenCalledWith('sbx_1', 'pay-1:void');
      expect(settlement.apply.mock.calls[0][2]).toMatchObject({ state: 'voided', source: 'void' });
    });

    it('does nothing once the payment is captured', async () => {
      payments.findById.mockResolvedValue(paymentIn('captured'));
      await fixture.subject.void('pay-1');
      expect(provider.void).not.toHaveBeenCalled();
    });

    it("settles what the provider answered, not 'voided' regardless", async () => {
      payments.findById.mockResolvedValue(paymentIn('authorized'));
      payments.lockById.mockResolvedValue(paymentIn('authorized'));
      provider.void.mockResolvedValue(answer('captured'));
      await fixture.subject.void('pay-1');
      expect(settlement.apply.mock.calls[0][2]).toMatchObject({ state: 'captured', source: 'void' });
    });

    it('records a refused void as an attempt instead of retrying it', async () => {
      payments.findById.mockResolvedValue(paymentIn('authorized'));
      provider.void.mockRejectedValue(
        new ProviderRejectedError('sandbox', 'expired', 'authorization expired'),
      );
      await fixture.subject.void('pay-1');
      expect(payments.attempt).toHaveBeenCalledWith(fixture.transactions.tx, {
        paymentId: 'pay-1',
        operation: 'void',
        outcome: 'refused',
        detail: 'sandbox refused: authorization expired',
        idempotencyKey: 'pay-1:void',
      });
      expect(settlement.apply).not.toHaveBeenCalled();
    });

    it('lets provider trouble through so the void job is retried', async () => {
      payments.findById.mockResolvedValue(paymentIn('authorized'));
      const trouble = new ProviderUnavailableError('sandbox', new Error('ECONNRESET'));
      provider.void.mockRejectedValue(trouble);
      await expect(fixture.subject.void('pay-1')).rejects.toBe(trouble);
      expect(payments.attempt).not.toHaveBeenCalled();
    });
  });
});
