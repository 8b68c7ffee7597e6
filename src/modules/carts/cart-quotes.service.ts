import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import type { SellableVariant } from '../catalog';
import type { PromotionRule } from '../promotions';
import type { ShippingMethodRule } from '../shipping';
import { cartUpdatedAt, cartVersion, type CartPricingRead } from './carts.repository';
import type { CartDto, CartLineDto, CartProblemDto, LineProblem } from './dto/cart.response.dto';
import type { Cart, CartItem } from './entities/cart.entity';
import { priceCart, type PricingPromotion, type PricingResult } from './pricing/pricing';

/** Orders store amounts as unsigned 32-bit integers (42,949,672.95 in a 2-decimal currency). */
export const MAX_ORDER_AMOUNT = 4_294_967_295;

/** A cart priced from current prices, stock, promotion, shipping and tax: what checkout also uses. */
export interface CartQuote {
  cart: Cart;
  items: CartItem[];
  variants: Map<string, SellableVariant>;
  /** Items whose variant can be sold now (the others are shown with a problem and not priced). */
  sellableItems: CartItem[];
  promotion: PromotionRule | null;
  shippingMethod: ShippingMethodRule | null;
  taxRate: { id: string; name: string; rateBp: number } | null;
  pricing: PricingResult;
  view: CartDto;
}

const toPricingPromotion = (rule: PromotionRule): PricingPromotion => {
  switch (rule.kind) {
    case 'percentage':
      return {
        code: rule.code,
        kind: 'percentage',
        percentBp: rule.percentBp!,
        minSubtotal: rule.minSubtotal,
      };
    case 'fixed_amount':
      return { code: rule.code, kind: 'fixed_amount', amount: rule.amount!, minSubtotal: rule.minSubtotal };
    case 'free_shipping':
      return { code: rule.code, kind: 'free_shipping', minSubtotal: rule.minSubtotal };
  }
};

/**
 * Prices a cart. Nothing the client sent is a price: every amount comes from the catalog, the
 * promotion, the shipping method and the tax rate as they are now (docs/pricing.md has the rules).
 */
@Injectable()
export class CartQuotesService {
  constructor(private readonly config: AppConfig) {}

  /** Prices what one read found (CartsRepository.findForPricing), with the caller's changes applied. */
  quote({
    cart,
    items,
    variants,
    available,
    promotion,
    shippingMethods: methods,
    taxRate,
  }: CartPricingRead): CartQuote {
    const address = cart.shippingAddress;
    const shippingMethod = methods.find((method) => method.id === cart.shippingMethodId) ?? null;
    const sellableItems = items.filter((item) => variants.get(item.variantId)?.sellable);
    const pricing = priceCart({
      currency: cart.currency,
      priceMode: this.config.checkout.priceMode,
      lines: sellableItems.map((item) => ({
        key: item.id,
        unitPrice: variants.get(item.variantId)!.price,
        quantity: item.quantity,
      })),
      promotion: promotion ? toPricingPromotion(promotion) : null,
      shipping: shippingMethod
        ? { methodId: shippingMethod.id, rate: shippingMethod.rate, freeOver: shippingMethod.freeOver }
        : null,
      taxRateBp: taxRate?.rateBp ?? 0,
    });

    const priced = new Map(pricing.lines.map((line) => [line.key, line]));
    const problems: CartProblemDto[] = [];
    const lines: CartLineDto[] = items.map((item) => {
      const variant = variants.get(item.variantId);
      const stock = available.get(item.variantId) ?? 0;
      const problem: LineProblem | null = !variant?.sellable
        ? 'unavailable'
        : stock <= 0
          ? 'out-of-stock'
          : stock < item.quantity
            ? 'insufficient-stock'
            : null;
      if (problem)
        problems.push({
          code: `line-${problem}`,
          itemId: item.id,
          detail:
            problem === 'unavailable'
              ? `${variant?.sku ?? item.variantId} is no longer sold; remove it.`
              : problem === 'out-of-stock'
                ? `${variant!.sku} is out of stock.`
                : `Only ${stock} of ${variant!.sku} are available; ${item.quantity} are in the cart.`,
        });
      const line = priced.get(item.id);
      return {
        id: item.id,
        variantId: item.variantId,
        productId: variant?.productId ?? null,
        productSlug: variant?.productSlug ?? null,
        sku: variant?.sku ?? null,
        title: variant?.productTitle ?? 'No longer available',
        variantTitle: variant?.variantTitle ?? '',
        imageUrl: variant?.imageUrl ?? null,
        unitPrice: line?.unitPrice ?? 0,
        quantity: item.quantity,
        subtotal: line?.subtotal ?? 0,
        discount: line?.discount ?? 0,
        tax: line?.tax ?? 0,
        total: line?.total ?? 0,
        available: variant?.sellable ? Math.max(0, stock) : 0,
        problem,
      };
    });

    if (items.length === 0) problems.unshift({ code: 'empty', detail: 'The cart is empty.' });
    if (Math.max(pricing.subtotal, pricing.total) > MAX_ORDER_AMOUNT)
      problems.push({
        code: 'total-too-large',
        detail: `An order can total at most ${MAX_ORDER_AMOUNT} minor units; split it into several orders.`,
      });
    if (cart.promotionCode && !promotion)
      problems.push({
        code: 'promotion-not-usable',
        detail: `The code ${cart.promotionCode} cannot be used now (expired, used up or withdrawn).`,
      });
    if (pricing.promotion && !pricing.promotion.applied)
      problems.push({
        code: 'minimum-subtotal-not-met',
        detail: `The code ${pricing.promotion.code} needs a subtotal of at least ${promotion!.minSubtotal}.`,
      });
    if (!cart.email)
      problems.push({ code: 'email-missing', detail: 'An email address is needed for the order.' });
    if (!address)
      problems.push({ code: 'shipping-address-missing', detail: 'A shipping address is needed.' });
    else if (!cart.shippingMethodId)
      problems.push({ code: 'shipping-method-missing', detail: 'Choose a shipping method.' });
    else if (!shippingMethod)
      problems.push({
        code: 'shipping-method-unavailable',
        detail: 'The chosen shipping method does not serve this address any more; choose another.',
      });

    const toOption = (method: ShippingMethodRule) => ({
      id: method.id,
      name: method.name,
      rate: method.rate,
      freeOver: method.freeOver,
    });
    const view: CartDto = {
      id: cart.id,
      status: cart.status,
      customerId: cart.customerId,
      email: cart.email,
      currency: cart.currency,
      lines,
      promotion: cart.promotionCode
        ? {
            code: cart.promotionCode,
            applied: pricing.promotion?.applied ?? false,
            reason: !promotion ? 'not-usable' : (pricing.promotion?.reason ?? null),
          }
        : null,
      shippingAddress: cart.shippingAddress,
      billingAddress: cart.billingAddress,
      shippingMethod: shippingMethod ? toOption(shippingMethod) : null,
      shippingMethods: methods.map(toOption),
      totals: {
        subtotal: pricing.subtotal,
        discount: pricing.discount,
        shipping: pricing.shipping,
        shippingTax: pricing.shippingTax,
        tax: pricing.tax,
        total: pricing.total,
        taxRateBp: pricing.taxRateBp,
        taxIncluded: pricing.priceMode === 'tax_inclusive',
        freeShipping: pricing.freeShipping,
      },
      problems,
      checkoutReady: problems.length === 0 && cart.status === 'active',
      orderId: cart.orderId,
      version: cartVersion(cart, items),
      createdAt: cart.createdAt.toISOString(),
      updatedAt: cartUpdatedAt(cart, items).toISOString(),
    };
    return { cart, items, variants, sellableItems, promotion, shippingMethod, taxRate, pricing, view };
  }
}
