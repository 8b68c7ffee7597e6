import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  Payment,
  PaymentAttempt,
  PaymentEvent,
  PaymentRefund,
  type PaymentState,
} from './entities/payment.entity';

export type NewPayment = Pick<Payment, 'orderId' | 'provider' | 'amount' | 'currency' | 'state'> &
  Partial<Pick<Payment, 'providerReference' | 'capturedAmount' | 'recordedBy' | 'requestKeyHash'>>;

/** A refund as sales rollups count it: money given back, at the time it was asked for. */
export interface RefundSalesFacts {
  refundId: string;
  orderId: string;
  currency: string;
  amount: number;
  requestedAt: Date;
}

/** Payments, their attempts, refunds and the provider events: the only place that builds their SQL. */
@Injectable()
export class PaymentsRepository {
  /** Writes the payment and answers with the row as written (nothing is read back). */
  async insert(manager: EntityManager, payment: NewPayment): Promise<Payment> {
    const now = new Date();
    const row: Payment = {
      id: uuidv7(),
      providerReference: null,
      capturedAmount: 0,
      refundedAmount: 0,
      failureCode: null,
      failureMessage: null,
      flaggedReason: null,
      givenBackAt: null,
      lastEventAt: null,
      reconciledAt: null,
      requestKeyHash: null,
      recordedBy: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      ...payment,
    };
    await manager.insert(Payment, row);
    return row;
  }

  findById(manager: EntityManager, id: string): Promise<Payment | null> {
    return manager.findOne(Payment, { where: { id } });
  }

  lockById(manager: EntityManager, id: string): Promise<Payment | null> {
    return manager.findOne(Payment, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  lockByReference(
    manager: EntityManager,
    provider: Payment['provider'],
    reference: string,
  ): Promise<Payment | null> {
    return manager.findOne(Payment, {
      where: { provider, providerReference: reference },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * The order's payments that still hold or may yet hold its money for it (not failed, voided, nor
   * being given back — a give-back whose refund is refused must not keep the order from being paid). `locked`:
   * a locking read, which sees the latest committed rows — needed when the transaction's snapshot was
   * taken before the order lock was granted (a plain read would miss a payment committed meanwhile).
   */
  liveOfOrder(manager: EntityManager, orderId: string, locked = false): Promise<Payment[]> {
    return manager.find(Payment, {
      where: {
        orderId,
        state: In<PaymentState>(['pending', 'requires_action', 'authorized', 'captured']),
        givenBackAt: IsNull(),
      },
      order: { createdAt: 'ASC' },
      ...(locked ? { lock: { mode: 'pessimistic_read' as const } } : {}),
    });
  }

  /** Adds a reason for staff to look at the payment, keeping the earlier ones (newest last). */
  async flag(manager: EntityManager, payment: Payment, reason: string): Promise<void> {
    const reasons = payment.flaggedReason ? `${payment.flaggedReason}; ${reason}` : reason;
    payment.flaggedReason = reasons.length > 500 ? `…${reasons.slice(-499)}` : reasons;
    await this.update(manager, payment.id, { flaggedReason: payment.flaggedReason });
  }

  findByReference(
    manager: EntityManager,
    provider: Payment['provider'],
    reference: string,
  ): Promise<Payment | null> {
    return manager.findOne(Payment, { where: { provider, providerReference: reference } });
  }

  /** The order's payments that hold money (authorized, or captured and not all refunded), locked. */
  lockHoldingMoney(manager: EntityManager, orderId: string): Promise<Payment[]> {
    return manager.find(Payment, {
      where: { orderId, state: In<PaymentState>(['authorized', 'captured', 'partially_refunded']) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * Card payments still pending, awaiting action or authorized that were created before `before` and
   * not asked about since: the longest-unasked first, so a backlog is worked through run by run.
   */
  dueForReconciliation(manager: EntityManager, before: Date, batch: number): Promise<Payment[]> {
    return manager
      .createQueryBuilder(Payment, 'payment')
      .where('payment.state IN (:...states)', { states: ['pending', 'requires_action', 'authorized'] })
      .andWhere("payment.provider <> 'manual'")
      .andWhere('payment.createdAt < :before', { before })
      .andWhere('(payment.reconciledAt IS NULL OR payment.reconciledAt < :before)', { before })
      .orderBy('payment.reconciledAt IS NULL', 'DESC')
      .addOrderBy('payment.reconciledAt', 'ASC')
      .addOrderBy('payment.id', 'ASC')
      .limit(batch)
      .getMany();
  }

  ofOrder(manager: EntityManager, orderId: string): Promise<Payment[]> {
    return manager.find(Payment, { where: { orderId }, order: { createdAt: 'ASC' } });
  }

  async update(manager: EntityManager, id: string, fields: Partial<Payment>): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Payment)
      .set({ ...fields, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /**
   * Updates the payment only if it is still at `version` (nothing changed it since it was read):
   * a compare-and-set instead of a locking read. False when it had changed; then nothing is written.
   */
  async updateIfVersion(
    manager: EntityManager,
    id: string,
    version: number,
    fields: Partial<Payment>,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Payment)
      .set({ ...fields, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return result.affected === 1;
  }

  async attempt(
    manager: EntityManager,
    attempt: Pick<PaymentAttempt, 'paymentId' | 'operation' | 'outcome'> &
      Partial<Pick<PaymentAttempt, 'idempotencyKey' | 'detail'>>,
  ): Promise<void> {
    // Provider event names can be long (`webhook:payment_intent.amount_capturable_updated`).
    await manager.insert(PaymentAttempt, {
      idempotencyKey: null,
      detail: null,
      ...attempt,
      operation: attempt.operation.slice(0, 80),
      outcome: attempt.outcome.slice(0, 30),
    });
  }

  attemptsOf(manager: EntityManager, paymentId: string): Promise<PaymentAttempt[]> {
    return manager.find(PaymentAttempt, { where: { paymentId }, order: { id: 'ASC' } });
  }

  /** Records a provider event once; false when it was recorded before (a duplicate delivery). */
  async recordEvent(
    manager: EntityManager,
    event: Omit<PaymentEvent, 'processedAt' | 'createdAt'>,
  ): Promise<boolean> {
    const result = await manager.query<{ affectedRows: number }>(
      'INSERT IGNORE INTO payment_events (provider, event_id, type, event) VALUES (?, ?, ?, ?)',
      [event.provider, event.eventId, event.type, JSON.stringify(event.event)],
    );
    return Number(result.affectedRows) === 1;
  }

  lockEvent(
    manager: EntityManager,
    provider: PaymentEvent['provider'],
    eventId: string,
  ): Promise<PaymentEvent | null> {
    return manager.findOne(PaymentEvent, {
      where: { provider, eventId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async markEventProcessed(
    manager: EntityManager,
    provider: PaymentEvent['provider'],
    eventId: string,
  ): Promise<void> {
    await manager.update(PaymentEvent, { provider, eventId }, { processedAt: new Date() });
  }

  async insertRefund(
    manager: EntityManager,
    refund: Pick<PaymentRefund, 'paymentId' | 'amount' | 'reason' | 'requestedBy'>,
  ): Promise<PaymentRefund> {
    const id = uuidv7();
    await manager.insert(PaymentRefund, { id, state: 'pending', providerReference: null, ...refund });
    return (await manager.findOne(PaymentRefund, { where: { id } }))!;
  }

  lockRefund(manager: EntityManager, id: string): Promise<PaymentRefund | null> {
    return manager.findOne(PaymentRefund, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  lockRefundByReference(
    manager: EntityManager,
    paymentId: string,
    reference: string,
  ): Promise<PaymentRefund | null> {
    return manager.findOne(PaymentRefund, {
      where: { paymentId, providerReference: reference },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Succeeded refunds (one id, or all asked for in [from, to)) with their payment's currency. */
  async refundSalesFacts(
    manager: EntityManager,
    where: { refundId: string } | { from: Date; to: Date },
    excludeRequestedBy: string,
  ): Promise<RefundSalesFacts[]> {
    const [condition, params] =
      'refundId' in where
        ? ['r.id = ?', [where.refundId]]
        : ['r.created_at >= ? AND r.created_at < ?', [where.from, where.to]];
    const rows = await manager.query<
      Array<{ id: string; order_id: string; currency: string; amount: number; created_at: Date }>
    >(
      `SELECT r.id, p.order_id, p.currency, r.amount, r.created_at
       FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
       WHERE ${condition} AND r.state = 'succeeded' AND r.requested_by <> ?`,
      [...params, excludeRequestedBy],
    );
    return rows.map((row) => ({
      refundId: row.id,
      orderId: row.order_id,
      currency: row.currency,
      amount: Number(row.amount),
      requestedAt: row.created_at,
    }));
  }

  refundsOf(manager: EntityManager, paymentId: string): Promise<PaymentRefund[]> {
    return manager.find(PaymentRefund, { where: { paymentId }, order: { createdAt: 'ASC' } });
  }

  /** Refunds asked for and not failed: what is no longer refundable. */
  async committedRefundTotal(manager: EntityManager, paymentId: string): Promise<number> {
    const [row] = await manager.query<Array<{ total: string | null }>>(
      "SELECT SUM(amount) AS total FROM payment_refunds WHERE payment_id = ? AND state <> 'failed'",
      [paymentId],
    );
    return Number(row.total ?? 0);
  }

  async setRefund(manager: EntityManager, id: string, fields: Partial<PaymentRefund>): Promise<void> {
    await manager.update(PaymentRefund, { id }, fields);
  }
}
