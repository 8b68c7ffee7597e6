import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { MailJobs, type SendMailPayload } from '../../notifications';
import { OutboxService } from '../../outbox';
import { PAYMENT_METHODS } from '../entities/order.entity';
import { PAYMENT_POLICIES } from './order-status';
import { OrdersRepository } from '../orders.repository';

/** The methods whose customers are reminded before the deadline (bank transfer). */
const REMINDED_METHODS = PAYMENT_METHODS.filter((method) => PAYMENT_POLICIES[method].remindsBeforeDeadline);

/**
 * Mails the customer of an unpaid bank-transfer order how to pay, PAYMENT_BANK_TRANSFER_REMINDER_HOURS
 * before its hold runs out — once per order. Reached by each order's delayed job and by a periodic
 * sweep (a delayed job may be lost, or the setting changed since checkout); Bull may run either
 * twice. The order row is claimed with one conditional UPDATE and the mail is written to the outbox
 * in the same transaction, so however many callers race, one mail job exists (and the mail worker
 * sends each job once).
 */
@Injectable()
export class PaymentRemindersService {
  private readonly logger = new Logger(PaymentRemindersService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  /** True when this call wrote the reminder; false when it is not due, sent already, or the order is paid or gone. */
  async remind(orderId: string, now = new Date()): Promise<boolean> {
    const dueBy = this.dueBy(now);
    if (!dueBy) return false;
    return this.transactions.run(async (manager) => {
      for (const method of REMINDED_METHODS) {
        if (!(await this.orders.claimPaymentReminder(manager, orderId, method, now, dueBy))) continue;
        const order = (await this.orders.findById(manager, orderId))!;
        const mail: SendMailPayload<'payment-reminder'> = {
          template: 'payment-reminder',
          to: order.email,
          data: {
            name: order.billingAddress.firstName,
            number: order.number,
            amount: order.total,
            currency: order.currency,
            payBy: order.expiresAt!.toISOString(),
            instructions: this.config.payments.bankTransferInstructions,
          },
          sealedSecrets: {},
        };
        await this.outbox.enqueue(manager, {
          jobName: MailJobs.send,
          payload: mail,
        });
        return true;
      }
      return false;
    });
  }

  /** The sweep: every unpaid order whose reminder is due and unsent, soonest deadline first, in batches. */
  async remindDue(now = new Date(), batch = 100): Promise<number> {
    const dueBy = this.dueBy(now);
    if (!dueBy) return 0;
    let reminded = 0;
    for (const method of REMINDED_METHODS) {
      let after: { expiresAt: Date; id: string } | undefined;
      for (;;) {
        const due = await this.transactions.run((manager) =>
          this.orders.paymentRemindersDue(manager, method, now, dueBy, batch, after),
        );
        for (const order of due) {
          try {
            if (await this.remind(order.id, now)) reminded += 1;
          } catch (error) {
            this.logger.error({ err: error, orderId: order.id }, 'could not remind an unpaid order');
          }
        }
        if (due.length < batch) break;
        after = due[due.length - 1];
      }
    }
    if (reminded > 0) this.logger.log(`reminded ${reminded} unpaid order(s)`);
    return reminded;
  }

  /** Orders whose deadline falls before this are due a reminder; null when reminders are off. */
  private dueBy(now: Date): Date | null {
    const hours = this.config.payments.bankTransferReminderHours;
    return hours > 0 ? new Date(now.getTime() + hours * 3_600_000) : null;
  }
}
