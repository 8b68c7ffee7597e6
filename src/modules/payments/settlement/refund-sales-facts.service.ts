import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PaymentsRepository, type RefundSalesFacts } from '../payments.repository';
import { LATE_PAYMENT_REFUNDER } from './refunds.service';

/**
 * Refunds as sales reports count them (read by the analytics feature): succeeded ones only, and not
 * the return of money that never paid for its order (a late or double payment).
 */
@Injectable()
export class RefundSalesFactsService {
  constructor(private readonly payments: PaymentsRepository) {}

  async of(manager: EntityManager, refundId: string): Promise<RefundSalesFacts | null> {
    const [facts] = await this.payments.refundSalesFacts(manager, { refundId }, LATE_PAYMENT_REFUNDER);
    return facts ?? null;
  }

  /** Refunds asked for in [from, to) that have succeeded. */
  requestedBetween(manager: EntityManager, from: Date, to: Date): Promise<RefundSalesFacts[]> {
    return this.payments.refundSalesFacts(manager, { from, to }, LATE_PAYMENT_REFUNDER);
  }
}
