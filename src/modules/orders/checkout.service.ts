import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CartClosedError } from '../carts/carts.errors';
import { type CartCaller, CartsService } from '../carts/carts.service';
import type { CartQuote } from '../carts/cart-quotes';
import { InsufficientStockError } from '../inventory/inventory.errors';
import { ReservationsService } from '../inventory/reservations.service';
import type { StockEffects } from '../inventory/stock-ledger';
import { EVENTS_QUEUE, type DomainEvents } from '../notifications/jobs/events.jobs';
import { OutboxService } from '../outbox/outbox.service';
import { PromotionRedemptions } from '../promotions/promotion-redemptions';
import type { CheckoutDto, OrderDto } from './dto/order.dto';
import { ORDERS_QUEUE, OrdersJobs, type ExpireOrderPayload } from './jobs/orders.jobs';
import { reservationOf } from './order-transitions';
import { toOrderDto } from './order-views';
import {
  CartChangedError,
  CheckoutIncompleteError,
  OutOfStockError,
  PromotionChangedError,
} from './orders.errors';
import { OrdersRepository } from './orders.repository';

/**
 * Cart problems that the locked steps of checkout decide better than the unlocked read that found
 * them: stock (the reservation) and a used-up or expired code (the redemption, which answers 409).
 */
const DECIDED_UNDER_LOCK = new Set(['line-out-of-stock', 'line-insufficient-stock', 'promotion-not-usable']);

/**
 * Turns a cart into an order, once, in one transaction: lock the cart, price it anew, reserve every
 * line (all or nothing), consume the promotion use, snapshot the lines, number the order, mark the
 * cart checked out, and write `order.placed` and the payment deadline to the outbox. Any failure
 * rolls all of it back: no order, nothing reserved, no use consumed.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly carts: CartsService,
    private readonly orders: OrdersRepository,
    private readonly reservations: ReservationsService,
    private readonly promotions: PromotionRedemptions,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  async checkout(caller: CartCaller, cartId: string, dto: CheckoutDto): Promise<OrderDto> {
    const { order, effects } = await this.transactions.run((manager) =>
      this.place(manager, caller, cartId, dto),
    );
    await this.reservations.afterCommit(effects);
    return order;
  }

  private async place(
    manager: EntityManager,
    caller: CartCaller,
    cartId: string,
    dto: CheckoutDto,
  ): Promise<{ order: OrderDto; effects: StockEffects }> {
    const quote = await this.carts.lockAndQuote(manager, caller, cartId);
    const { cart, pricing } = quote;
    if (cart.status !== 'active') throw new CartClosedError(cart.status, cart.orderId);
    const blocking = quote.view.problems.filter((problem) => !DECIDED_UNDER_LOCK.has(problem.code));
    if (blocking.length > 0) throw new CheckoutIncompleteError(blocking);
    if (dto.expectedTotal !== undefined && dto.expectedTotal !== pricing.total)
      throw new CartChangedError(dto.expectedTotal, quote.view.totals);
    // A customer's order goes to their account email as it is now.
    const email = caller.customer?.email ?? cart.email!;

    const orderId = uuidv7();
    const actor = caller.customer ? `user:${caller.customer.id}` : `guest:cart:${cart.id}`;
    const effects = await this.reserve(manager, quote, orderId, actor);
    const now = new Date();
    // A code the cart holds is redeemed or refused (409) here, never silently dropped; and the
    // order is priced with exactly the terms it redeemed.
    if (cart.promotionCode) {
      const redeemed = await this.promotions.redeemWithin(manager, {
        code: cart.promotionCode,
        orderId,
        // One person, one count: signed in or as a guest, a customer is their email.
        customerKey: `email:${email}`,
        now,
      });
      const priced = quote.promotion;
      if (
        !priced ||
        priced.kind !== redeemed.kind ||
        priced.percentBp !== redeemed.percentBp ||
        priced.amount !== redeemed.amount ||
        priced.minSubtotal !== redeemed.minSubtotal
      )
        throw new PromotionChangedError(cart.promotionCode);
    }

    const number = `${this.config.checkout.orderNumberPrefix}${10_000 + (await this.orders.nextNumber(manager))}`;
    const expiresAt = new Date(now.getTime() + this.config.checkout.reservationTtlSeconds * 1000);
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
        paymentMethod: dto.paymentMethod,
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
    await this.carts.markCheckedOut(manager, cart.id, orderId);

    const placed: DomainEvents['order.placed'] = {
      orderId,
      number,
      customerId: cart.customerId,
      from: null,
      to: 'pending_payment',
      total: pricing.total,
      currency: pricing.currency,
    };
    const expire: ExpireOrderPayload = { orderId };
    await this.outbox.enqueue(
      manager,
      { queue: EVENTS_QUEUE, jobName: 'order.placed', payload: { ...placed } },
      {
        queue: ORDERS_QUEUE,
        jobName: OrdersJobs.expire,
        payload: { ...expire },
        delayMs: this.config.checkout.reservationTtlSeconds * 1000,
      },
    );

    // Answered from what was written: nothing is read back.
    const history = [{ ...opened, id: '0' }];
    return {
      order: toOrderDto(placedOrder.order, placedOrder.lines, history, [], { actors: false }),
      effects,
    };
  }

  /** All lines or none; a shortage names every line that cannot be served. */
  private async reserve(
    manager: EntityManager,
    quote: CartQuote,
    orderId: string,
    actor: string,
  ): Promise<StockEffects> {
    try {
      const { effects } = await this.reservations.reserveWithin(
        manager,
        reservationOf(orderId),
        quote.sellableItems.map((item) => ({ variantId: item.variantId, quantity: item.quantity })),
        { expiresAt: null, actor },
      );
      return effects;
    } catch (error) {
      if (!(error instanceof InsufficientStockError)) throw error;
      throw new OutOfStockError(
        error.shortages.map((shortage) => ({
          itemId: quote.items.find((item) => item.variantId === shortage.variantId)?.id ?? null,
          variantId: shortage.variantId,
          sku: shortage.sku,
          requested: shortage.requested,
          available: shortage.available,
          reason: shortage.reason,
        })),
      );
    }
  }
}
