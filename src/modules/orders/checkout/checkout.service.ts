import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CartClosedError, type CartCaller, CartsService, type CartQuote } from '../../carts';
import { InsufficientStockError, type KnownVariant, ReservationsService } from '../../inventory';
import { PromotionRedemptionsService } from '../../promotions';
import type { CheckoutDto, OrderDto } from '../dto/order.dto';
import { OrderOpeningService } from './order-opening.service';
import { reservationOf } from '../lifecycle/order-transitions.service';
import {
  CartChangedError,
  CheckoutIncompleteError,
  OutOfStockError,
  PromotionChangedError,
} from '../orders.errors';

/**
 * Cart problems that the locked steps of checkout decide better than the unlocked read that found
 * them: stock (the reservation) and a used-up or expired code (the redemption, which answers 409).
 */
const DECIDED_UNDER_LOCK = new Set(['line-out-of-stock', 'line-insufficient-stock', 'promotion-not-usable']);

/** The quote's variants as the reservation needs them. */
function knownVariants(quote: CartQuote): Map<string, KnownVariant> {
  return new Map(
    [...quote.variants.values()].map((variant) => [
      variant.variantId,
      {
        id: variant.variantId,
        productId: variant.productId,
        sku: variant.sku,
        title: `${variant.productTitle} — ${variant.variantTitle}`,
        sellable: variant.sellable,
      },
    ]),
  );
}

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
    private readonly reservations: ReservationsService,
    private readonly promotions: PromotionRedemptionsService,
    private readonly opening: OrderOpeningService,
  ) {}

  async checkout(caller: CartCaller, cartId: string, dto: CheckoutDto): Promise<OrderDto> {
    return this.transactions.run((tx) => this.place(tx, caller, cartId, dto));
  }

  private async place(
    manager: TransactionContext,
    caller: CartCaller,
    cartId: string,
    dto: CheckoutDto,
  ): Promise<OrderDto> {
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
    await this.reserve(manager, quote, orderId, actor);
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

    const order = await this.opening.open(manager, {
      orderId,
      quote,
      email,
      actor,
      paymentMethod: dto.paymentMethod,
      now,
    });
    await this.carts.markCheckedOut(manager, cart.id, orderId);
    return order;
  }

  /** All lines or none; a shortage names every line that cannot be served. */
  private async reserve(
    manager: TransactionContext,
    quote: CartQuote,
    orderId: string,
    actor: string,
  ): Promise<void> {
    try {
      await this.reservations.reserveWithin(
        manager,
        reservationOf(orderId),
        quote.sellableItems.map((item) => ({ variantId: item.variantId, quantity: item.quantity })),
        // The quote read every variant in this transaction: the reservation does not read them again.
        { expiresAt: null, actor, variants: knownVariants(quote) },
      );
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
