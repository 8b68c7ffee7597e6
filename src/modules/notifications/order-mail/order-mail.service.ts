import { TransactionRunner } from '@app/database';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OutboxService } from '../../outbox';
import type { DomainEventEnvelope, DomainEventHandler } from '../events/domain-event-handler';
import type { DomainEventName, DomainEvents } from '../jobs/events.jobs';
import {
  MailJobs,
  type OrderMailSummary,
  type OrderMailTemplate,
  type OrderMailTemplates,
  type SendMailPayload,
} from '../mail/mail.jobs';
import { ORDER_MAIL_SOURCE, type OrderForMail, type OrderMailSource } from './order-mail-source.port';
import { SentNotificationsRepository } from './sent-notifications.repository';
import { trackingUrl } from './tracking-links';

/** Which mail an event causes, and the template's data from the event and the order. */
interface MailPlan<T extends OrderMailTemplate = OrderMailTemplate> {
  template: T;
  orderId: string;
  data(order: OrderForMail): OrderMailTemplates[T]['data'];
}

type Planner<K extends DomainEventName> = (payload: DomainEvents[K]) => MailPlan;

const summaryOf = (order: OrderForMail): OrderMailSummary => ({
  name: order.name,
  number: order.number,
  currency: order.currency,
  lines: order.lines,
  totals: order.totals,
});

function plan<T extends OrderMailTemplate>(
  template: T,
  orderId: string,
  data: (order: OrderForMail) => OrderMailTemplates[T]['data'],
): MailPlan {
  return { template, orderId, data };
}

/**
 * The customer's mail for each order and payment event. Refunds are mailed from `payment.refunded`
 * (one event per refund, with its amount), not `order.refunded` (one per status change: a second
 * partial refund would go unmailed).
 */
const PLANNERS: { [K in DomainEventName]?: Planner<K> } = {
  'order.placed': (event) =>
    plan('order-confirmation', event.orderId, (order) => ({
      ...summaryOf(order),
      paymentMethod: order.paymentMethod,
      shippingMethodName: order.shippingMethodName,
    })),
  'payment.succeeded': (event) =>
    plan('payment-received', event.orderId, (order) => ({ ...summaryOf(order), amount: event.amount })),
  'payment.failed': (event) =>
    plan('payment-failed', event.orderId, (order) => ({
      name: order.name,
      number: order.number,
      amount: event.amount,
      currency: event.currency,
    })),
  'order.shipped': (event) =>
    plan('order-shipped', event.orderId, (order) => ({
      ...summaryOf(order),
      shipments: order.shipments.map((shipment) => ({
        ...shipment,
        trackingUrl: trackingUrl(shipment.carrier, shipment.trackingNumber),
      })),
    })),
  'order.delivered': (event) =>
    plan('order-delivered', event.orderId, (order) => ({ name: order.name, number: order.number })),
  'order.cancelled': (event) =>
    plan('order-cancelled', event.orderId, (order) => ({
      ...summaryOf(order),
      reason: event.reason,
      refundDue: event.refundDue,
    })),
  'payment.refunded': (event) =>
    plan('order-refunded', event.orderId, (order) => ({
      name: order.name,
      number: order.number,
      amount: event.amount,
      currency: event.currency,
      complete: event.complete,
    })),
};

/**
 * Mails the customer about their order, once per event: in one transaction it claims
 * (event id, template) in `notifications_sent` and writes the `mail.send` job to the outbox. A
 * redelivered event finds the claim and writes nothing; the outbox id becomes the Bull job id and
 * the mail worker's sent-marker, so the relay and the SMTP send are once per job as well.
 */
@Injectable()
export class OrderMailService implements DomainEventHandler {
  private readonly logger = new Logger(OrderMailService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly sent: SentNotificationsRepository,
    private readonly outbox: OutboxService,
    @Inject(ORDER_MAIL_SOURCE) private readonly orders: OrderMailSource,
  ) {}

  async handle(event: DomainEventEnvelope): Promise<void> {
    const planner = PLANNERS[event.type] as Planner<DomainEventName> | undefined;
    if (!planner) return;
    const mail = planner(event.payload);
    const written = await this.transactions.run(async (tx) => {
      const order = await this.orders.find(tx, mail.orderId);
      if (!order) return 'no-order' as const;
      if (!(await this.sent.claim(tx, event.id, mail.template))) return 'already-sent' as const;
      const payload: SendMailPayload<OrderMailTemplate> = {
        template: mail.template,
        to: order.email,
        data: mail.data(order),
        sealedSecrets: {},
      };
      await this.outbox.enqueue(tx, { jobName: MailJobs.send, payload: payload });
      return 'written' as const;
    });
    if (written === 'no-order')
      this.logger.warn(
        { eventId: event.id, event: event.type, orderId: mail.orderId },
        'order mail: no such order',
      );
    else if (written === 'already-sent')
      this.logger.log(
        { eventId: event.id, template: mail.template },
        'order mail already written for this event',
      );
  }
}
