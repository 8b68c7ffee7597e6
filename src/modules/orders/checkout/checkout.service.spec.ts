import { buildWithMocks, rejectionOf, type UnitFixture } from '@app/testing/unit-fixture';
import { CartTotalsDto, CartDto, type CartProblemCode } from '../../carts/dto/cart.response.dto';
import { Cart, CartItem } from '../../carts/entities/cart.entity';
import { CartClosedError } from '../../carts/carts.errors';
import type { CartQuote } from '../../carts/cart-quotes.service';
import { CartsService, type CartCaller } from '../../carts/carts.service';
import { InsufficientStockError } from '../../inventory/inventory.errors';
import { ReservationsService } from '../../inventory/reservations.service';
import { PromotionRedemptionsService } from '../../promotions/promotion-redemptions.service';
import type { PromotionRule } from '../../promotions/promotion-terms';
import { PromotionUnavailableError } from '../../promotions/promotions.errors';
import { CheckoutService } from './checkout.service';
import { OrderDto, type CheckoutDto } from '../dto/order.dto';
import { OrderOpeningService } from './order-opening.service';
import {
  CartChangedError,
  CheckoutIncompleteError,
  OutOfStockError,
  PromotionChangedError,
} from '../orders.errors';

const GUEST: CartCaller = { customer: null, token: 'cart-token' };
const CUSTOMER: CartCaller = { customer: { id: 'u1', email: 'account@example.com' }, token: null };
const CARD: CheckoutDto = { paymentMethod: 'card' };

const item = (id: string, variantId: string, quantity: number): CartItem =>
  Object.assign(new CartItem(), { id, cartId: 'cart-1', variantId, quantity });

const TEN_PERCENT: PromotionRule = {
  id: 'promo-1',
  code: 'TEN',
  kind: 'percentage',
  percentBp: 1000,
  amount: null,
  minSubtotal: null,
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  perCustomerLimit: null,
  timesUsed: 0,
};

/** A cart ready for checkout (two lines, total 2500), changed by `cart`, `problems` and `promotion`. */
function quoteOf(
  options: { cart?: Partial<Cart>; problems?: CartProblemCode[]; promotion?: PromotionRule | null } = {},
): CartQuote {
  const cart = Object.assign(new Cart(), {
    id: 'cart-1',
    customerId: null,
    status: 'active',
    email: 'cart@example.com',
    promotionCode: null,
    orderId: null,
    ...options.cart,
  });
  const items = [item('item-a', 'variant-a', 2), item('item-b', 'variant-b', 1)];
  const view = Object.assign(new CartDto(), {
    problems: (options.problems ?? []).map((code) => ({ code, detail: `problem ${code}` })),
    totals: Object.assign(new CartTotalsDto(), { total: 2500 }),
  });
  return {
    cart,
    items,
    variants: new Map(),
    sellableItems: items,
    promotion: options.promotion ?? null,
    shippingMethod: null,
    taxRate: null,
    pricing: {
      currency: 'EUR',
      priceMode: 'tax_inclusive',
      subtotal: 2500,
      discount: 0,
      shipping: 0,
      shippingTax: 0,
      tax: 0,
      total: 2500,
      taxRateBp: 0,
      promotion: null,
      freeShipping: null,
      lines: [],
    },
    view,
  };
}

describe('CheckoutService.checkout', () => {
  let fixture: UnitFixture<CheckoutService>;
  let carts: jest.Mocked<CartsService>;
  let reservations: jest.Mocked<ReservationsService>;
  let promotions: jest.Mocked<PromotionRedemptionsService>;
  let opening: jest.Mocked<OrderOpeningService>;
  const placed = Object.assign(new OrderDto(), { id: 'the-order' });

  beforeEach(async () => {
    fixture = await buildWithMocks(CheckoutService);
    carts = fixture.mock(CartsService);
    reservations = fixture.mock(ReservationsService);
    promotions = fixture.mock(PromotionRedemptionsService);
    opening = fixture.mock(OrderOpeningService);
    opening.open.mockResolvedValue(placed);
  });

  const checkout = (quote: CartQuote, caller: CartCaller = GUEST, dto: CheckoutDto = CARD) => {
    carts.lockAndQuote.mockResolvedValue(quote);
    return fixture.subject.checkout(caller, quote.cart.id, dto);
  };

  /** Nothing of an order came to be: no stock held, no order, the cart still open, the transaction rolled back. */
  const expectNothingPlaced = () => {
    expect(opening.open).not.toHaveBeenCalled();
    expect(carts.markCheckedOut).not.toHaveBeenCalled();
    expect(fixture.transactions.last.outcome).toBe('rolled back');
  };

  describe('a cart that is no longer open', () => {
    it('refuses a checked-out cart with cart-closed naming its order (a replayed checkout)', async () => {
      const error = await rejectionOf(
        checkout(quoteOf({ cart: { status: 'checked_out', orderId: 'earlier-order' } })),
        CartClosedError,
      );
      expect(error.extensions).toMatchObject({
        cartStatus: 'checked_out',
        orderId: 'earlier-order',
      });
      expect(reservations.reserveWithin).not.toHaveBeenCalled();
      expectNothingPlaced();
    });

    it('refuses a merged cart with cart-closed', async () => {
      await expect(checkout(quoteOf({ cart: { status: 'merged' } }))).rejects.toBeInstanceOf(CartClosedError);
      expect(reservations.reserveWithin).not.toHaveBeenCalled();
    });
  });

  describe('a cart that is not ready', () => {
    it.each<CartProblemCode>([
      'empty',
      'shipping-method-missing',
      'email-missing',
      'minimum-subtotal-not-met',
    ])('refuses a cart with problem %s before reserving anything', async (problem) => {
      const error = await rejectionOf(checkout(quoteOf({ problems: [problem] })), CheckoutIncompleteError);
      expect(error.extensions).toEqual({
        problems: [{ code: problem, detail: `problem ${problem}` }],
      });
      expect(reservations.reserveWithin).not.toHaveBeenCalled();
      expectNothingPlaced();
    });

    it('leaves stock and code problems seen unlocked to the reservation and the redemption', async () => {
      await expect(
        checkout(
          quoteOf({ problems: ['line-out-of-stock', 'line-insufficient-stock', 'promotion-not-usable'] }),
        ),
      ).resolves.toBe(placed);
      expect(reservations.reserveWithin).toHaveBeenCalled();
    });

    it('names only the blocking problems when both kinds are present', async () => {
      const error = await rejectionOf(
        checkout(quoteOf({ problems: ['line-out-of-stock', 'empty'] })),
        CheckoutIncompleteError,
      );
      expect(error.extensions).toEqual({
        problems: [{ code: 'empty', detail: 'problem empty' }],
      });
    });
  });

  describe('the total the shopper was shown', () => {
    it('refuses with cart-changed when the cart now prices differently', async () => {
      await expect(checkout(quoteOf(), GUEST, { ...CARD, expectedTotal: 2400 })).rejects.toBeInstanceOf(
        CartChangedError,
      );
      expect(reservations.reserveWithin).not.toHaveBeenCalled();
      expectNothingPlaced();
    });

    it('goes on when the shown total still holds', async () => {
      await expect(checkout(quoteOf(), GUEST, { ...CARD, expectedTotal: 2500 })).resolves.toBe(placed);
    });
  });

  describe('stock', () => {
    it('reserves every sellable line, without expiry, under the new order’s reference', async () => {
      await checkout(quoteOf());
      const orderId = opening.open.mock.calls[0][1].orderId;
      expect(reservations.reserveWithin).toHaveBeenCalledWith(
        fixture.transactions.tx,
        `order:${orderId}`,
        [
          { variantId: 'variant-a', quantity: 2 },
          { variantId: 'variant-b', quantity: 1 },
        ],
        { expiresAt: null, actor: 'guest:cart:cart-1', variants: new Map() },
      );
    });

    it('turns a shortage into out-of-stock naming each cart line, and places nothing', async () => {
      reservations.reserveWithin.mockRejectedValue(
        new InsufficientStockError([
          { variantId: 'variant-b', sku: 'SKU-B', requested: 1, available: 0, reason: 'insufficient-stock' },
          { variantId: 'variant-x', sku: null, requested: 1, available: 0, reason: 'unknown-variant' },
        ]),
      );
      const error = await rejectionOf(checkout(quoteOf()), OutOfStockError);
      expect(error.extensions).toEqual({
        lines: [
          {
            itemId: 'item-b',
            variantId: 'variant-b',
            sku: 'SKU-B',
            requested: 1,
            available: 0,
            reason: 'insufficient-stock',
          },
          {
            itemId: null,
            variantId: 'variant-x',
            sku: null,
            requested: 1,
            available: 0,
            reason: 'unknown-variant',
          },
        ],
      });
      expect(promotions.redeemWithin).not.toHaveBeenCalled();
      expectNothingPlaced();
    });

    it('lets any other reservation failure through unchanged', async () => {
      const failure = new Error('deadlock');
      reservations.reserveWithin.mockRejectedValue(failure);
      await expect(checkout(quoteOf())).rejects.toBe(failure);
      expectNothingPlaced();
    });
  });

  describe('the promotion code', () => {
    const withCode = () => quoteOf({ cart: { promotionCode: 'TEN' }, promotion: TEN_PERCENT });

    it('redeems nothing when the cart holds no code', async () => {
      await checkout(quoteOf());
      expect(promotions.redeemWithin).not.toHaveBeenCalled();
    });

    it('redeems the code for the order, counted against the order email', async () => {
      promotions.redeemWithin.mockResolvedValue(TEN_PERCENT);
      await checkout(withCode());
      const { orderId } = opening.open.mock.calls[0][1];
      expect(promotions.redeemWithin).toHaveBeenCalledWith(fixture.transactions.tx, {
        code: 'TEN',
        orderId,
        customerKey: 'email:cart@example.com',
        now: expect.any(Date),
      });
    });

    it('lets a code that can no longer be used refuse the checkout (409), placing nothing', async () => {
      promotions.redeemWithin.mockRejectedValue(new PromotionUnavailableError('TEN', 'exhausted'));
      await expect(checkout(withCode())).rejects.toBeInstanceOf(PromotionUnavailableError);
      expectNothingPlaced();
    });

    it('refuses with promotion-changed when the redeemed terms differ from the priced ones', async () => {
      promotions.redeemWithin.mockResolvedValue({ ...TEN_PERCENT, percentBp: 1500 });
      await expect(checkout(withCode())).rejects.toBeInstanceOf(PromotionChangedError);
      expectNothingPlaced();
    });

    it('refuses with promotion-changed when the cart was priced without the code it redeemed', async () => {
      promotions.redeemWithin.mockResolvedValue(TEN_PERCENT);
      await expect(
        checkout(
          quoteOf({ cart: { promotionCode: 'TEN' }, promotion: null, problems: ['promotion-not-usable'] }),
        ),
      ).rejects.toBeInstanceOf(PromotionChangedError);
      expectNothingPlaced();
    });

    it('ignores a usage count that moved on (not a term of the price)', async () => {
      promotions.redeemWithin.mockResolvedValue({ ...TEN_PERCENT, timesUsed: 7 });
      await expect(checkout(withCode())).resolves.toBe(placed);
    });
  });

  describe('guest or customer', () => {
    it('a guest’s order goes to the cart email, acted by the cart', async () => {
      await checkout(quoteOf());
      expect(opening.open).toHaveBeenCalledWith(
        fixture.transactions.tx,
        expect.objectContaining({
          email: 'cart@example.com',
          actor: 'guest:cart:cart-1',
          paymentMethod: 'card',
        }),
      );
    });

    it('a customer’s order goes to their account email as it is now, acted by the user', async () => {
      promotions.redeemWithin.mockResolvedValue(TEN_PERCENT);
      await checkout(
        quoteOf({ cart: { customerId: 'u1', promotionCode: 'TEN' }, promotion: TEN_PERCENT }),
        CUSTOMER,
      );
      expect(opening.open).toHaveBeenCalledWith(
        fixture.transactions.tx,
        expect.objectContaining({ email: 'account@example.com', actor: 'user:u1' }),
      );
      expect(reservations.reserveWithin.mock.calls[0][3]).toEqual({
        expiresAt: null,
        actor: 'user:u1',
        variants: new Map(),
      });
      expect(promotions.redeemWithin.mock.calls[0][1].customerKey).toBe('email:account@example.com');
    });
  });

  describe('a successful checkout', () => {
    it('opens the order, closes the cart on it and answers the order, in one committed transaction', async () => {
      const quote = quoteOf();
      await expect(checkout(quote, GUEST, { paymentMethod: 'bank_transfer' })).resolves.toBe(placed);
      const opened = opening.open.mock.calls[0][1];
      expect(opened).toMatchObject({ quote, paymentMethod: 'bank_transfer' });
      expect(carts.markCheckedOut).toHaveBeenCalledWith(fixture.transactions.tx, 'cart-1', opened.orderId);
      expect(carts.lockAndQuote).toHaveBeenCalledWith(fixture.transactions.tx, GUEST, 'cart-1');
      expect(fixture.transactions.transactions).toHaveLength(1);
      expect(fixture.transactions.last.outcome).toBe('committed');
    });

    it('gives every checkout an order id of its own', async () => {
      await checkout(quoteOf());
      await checkout(quoteOf());
      const [first, second] = opening.open.mock.calls.map(([, order]) => order.orderId);
      expect(first).not.toBe(second);
    });
  });
});
