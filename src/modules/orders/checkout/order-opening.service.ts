import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CartQuote } from '../../carts';
import type { DomainEvents } from '../../notifications';
import { OutboxService, type NewOutboxMessage } from '../../outbox';
import type { OrderDto } from '../dto/order.dto';
import type { PaymentMethod } from '../entities/order.entity';
import { OrdersJobs, type ExpireOrderPayload, type RemindPaymentPayload } from '../jobs/orders.jobs';
import { paymentDeadlines } from '../lifecycle/order-status';
import { toOrderDto } from '../order-views';
import { OrdersRepository } from '../orders.repository';

export interface NewOrderFromCart {
  orderId: string;
  quote: CartQuote;
  email: string;
  actor: string;
  paymentMethod: PaymentMethod;
  now: Date;
}

/**
 * Writes a checked-out cart down as an order, in checkout's transaction: the number, the order with
 * its lines snapshotted from the quote, its first history entry, `order.placed` and the delayed jobs of
 * its payment method's deadline and reminder (none for cash on delivery). Answers from the rows it wrote; nothing is read back.
 */
@Injectable()
export class OrderOpeningService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  async open(manager: EntityManager, order: NewOrderFromCart): Promise<OrderDto> {
    const { orderId, quote, email, actor, paymentMethod, now } = order;
    const { cart, pricing } = quote;
    const number = `${this.config.checkout.orderNumberPrefix}${10_000 + (await this.orders.nextNumber(manager))}`;
    const { expiresAt, remindAt } = paymentDeadlines(paymentMethod, now, {
      reservationTtlSeconds: this.config.checkout.reservationTtlSeconds,
      bankTransferHoldDays: this.config.payments.bankTransferHoldDays,
      bankTransferReminderHours: this.config.payments.bankTransferReminderHours,
    });
    const priced = new Map(pricing.lines.map((line) => [line.key, line]));
    const placedOrder = await this.orders.insert(
      manager,
      orderId,
      number,
      {
        cartId: cart.id,
        customerId: cart.customerId,
        tokenHash: cart.customerId ? null : cart.tokenHash,
        email,
        status: 'pending_payment',
        paymentMethod,
        currency: pricing.currency,
        priceMode: pricing.priceMode,
        subtotal: pricing.subtotal,
        discount: pricing.discount,
        shipping: pricing.shipping,
        shippingTax: pricing.shippingTax,
        tax: pricing.tax,
        total: pricing.total,
        taxRateBp: pricing.taxRateBp,
        promotionCode: pricing.promotion?.applied ? pricing.promotion.code : null,
        shippingMethodId: quote.shippingMethod?.id ?? null,
        shippingMethodName: quote.shippingMethod?.name ?? null,
        shippingAddress: cart.shippingAddress!,
        billingAddress: cart.billingAddress ?? cart.shippingAddress!,
        expiresAt,
      },
      quote.sellableItems.map((item, position) => {
        const variant = quote.variants.get(item.variantId)!;
        const line = priced.get(item.id)!;
        return {
          position,
          variantId: item.variantId,
          productId: variant.productId,
          sku: variant.sku,
          title: variant.productTitle,
          variantTitle: variant.variantTitle,
          unitPrice: line.unitPrice,
          quantity: line.quantity,
          subtotal: line.subtotal,
          discount: line.discount,
          tax: line.tax,
          total: line.total,
        };
      }),
      now,
    );
    const opened = {
      orderId,
      fromStatus: null,
      toStatus: 'pending_payment' as const,
      actor,
      reason: 'checkout',
      createdAt: now,
    };
    await this.orders.appendHistory(manager, opened);

    const placed: DomainEvents['order.placed'] = {
      orderId,
      number,
      customerId: cart.customerId,
      from: null,
      to: 'pending_payment',
      total: pricing.total,
      currency: pricing.currency,
    };
    const messages: NewOutboxMessage[] = [{ jobName: 'order.placed', payload: placed }];
    // Cash on delivery has no deadline: nothing expires it, and its stock stays reserved until it ships.
    if (expiresAt) {
      const expire: ExpireOrderPayload = { orderId };
      messages.push({
        jobName: OrdersJobs.expire,
        payload: expire,
        delayMs: expiresAt.getTime() - now.getTime(),
      });
    }
    if (remindAt) {
      const remind: RemindPaymentPayload = { orderId };
      messages.push({
        jobName: OrdersJobs.remindPayment,
        payload: remind,
        delayMs: remindAt.getTime() - now.getTime(),
      });
    }
    await this.outbox.enqueue(manager, ...messages);

    // Answered from what was written: nothing is read back.
    const history = [{ ...opened, id: '0' }];
    return toOrderDto(placedOrder.order, placedOrder.lines, history, [], { actors: false });
  }
}
