import {
  ORDER_STATUSES,
  PAYMENT_METHODS,
  type OrderStatus,
  type PaymentMethod,
} from '../entities/order.entity';
import {
  allowedTransitions,
  awaitsPayment,
  canTransition,
  ORDER_TRANSITIONS,
  PAYMENT_POLICIES,
  paymentDeadlines,
  type OrderPosition,
} from './order-status';

const PAID_AT = new Date('2026-12-01T10:00:00Z');
const at = (status: OrderStatus, paymentMethod: PaymentMethod, paid: boolean): OrderPosition => ({
  status,
  paymentMethod,
  paidAt: paid ? PAID_AT : null,
});
/** States an order can only be in once it is paid. */
const PAID_ONLY: OrderStatus[] = ['paid', 'partially_refunded', 'refunded'];

describe('payment-method policies: the state machine per method', () => {
  it('card and bank transfer follow the prepaid table exactly, paid or not', () => {
    for (const method of ['card', 'bank_transfer'] as const)
      for (const status of ORDER_STATUSES)
        expect(allowedTransitions(at(status, method, !['pending_payment'].includes(status)))).toEqual(
          ORDER_TRANSITIONS[status],
        );
    expect(ORDER_TRANSITIONS.pending_payment).toEqual(['paid', 'cancelled']);
    // Nothing leaves a prepaid order's warehouse before it is paid.
    for (const method of ['card', 'bank_transfer'] as const) {
      for (const to of ['partially_fulfilled', 'fulfilled', 'shipped', 'delivered'] as const)
        expect(canTransition(at('pending_payment', method, false), to)).toBe(false);
    }
  });

  it('cash on delivery, unpaid: placed → fulfilled → shipped → delivered without paid; cancel only before fulfilment', () => {
    const cod = (status: OrderStatus) => allowedTransitions(at(status, 'cash_on_delivery', false));
    expect(cod('pending_payment')).toEqual(['paid', 'partially_fulfilled', 'fulfilled', 'cancelled']);
    expect(cod('partially_fulfilled')).toEqual(['partially_fulfilled', 'fulfilled']);
    expect(cod('fulfilled')).toEqual(['shipped']);
    expect(cod('shipped')).toEqual(['delivered']);
    expect(cod('delivered')).toEqual([]);
    // Never backwards to paid, never refunded when nothing was paid, never cancelled once goods went out.
    for (const status of ['partially_fulfilled', 'fulfilled', 'shipped', 'delivered'] as const) {
      expect(cod(status)).not.toContain('paid');
      expect(cod(status)).not.toContain('cancelled');
      expect(cod(status)).not.toContain('refunded');
      expect(cod(status)).not.toContain('partially_refunded');
    }
    for (const status of [...PAID_ONLY, 'cancelled'] as const) expect(cod(status)).toEqual([]);
  });

  it('cash on delivery, once paid: the prepaid table (refunds possible, still never backwards)', () => {
    for (const status of ORDER_STATUSES.filter((status) => status !== 'pending_payment'))
      expect(allowedTransitions(at(status, 'cash_on_delivery', true))).toEqual(ORDER_TRANSITIONS[status]);
    expect(canTransition(at('delivered', 'cash_on_delivery', true), 'refunded')).toBe(true);
  });

  it('a payment may be recorded while awaiting it, and for cash on delivery up to delivery — never twice', () => {
    for (const method of PAYMENT_METHODS) {
      expect(awaitsPayment(at('pending_payment', method, false))).toBe(true);
      for (const status of ['partially_fulfilled', 'fulfilled', 'shipped', 'delivered'] as const) {
        expect(awaitsPayment(at(status, method, false))).toBe(method === 'cash_on_delivery');
        expect(awaitsPayment(at(status, method, true))).toBe(false);
      }
      for (const status of [...PAID_ONLY, 'cancelled'] as const)
        expect(awaitsPayment(at(status, method, status !== 'cancelled'))).toBe(false);
      expect(awaitsPayment(at('cancelled', method, false))).toBe(false);
    }
  });

  it('every move of every table stays inside the known states', () => {
    for (const method of PAYMENT_METHODS)
      for (const status of ORDER_STATUSES)
        for (const paid of [false, true])
          for (const to of allowedTransitions(at(status, method, paid))) expect(ORDER_STATUSES).toContain(to);
  });
});

describe('payment deadlines', () => {
  const placedAt = new Date('2026-12-01T12:00:00Z');
  const settings = { reservationTtlSeconds: 1800, bankTransferHoldDays: 7, bankTransferReminderHours: 48 };
  const hours = (date: Date | null) => (date ? (date.getTime() - placedAt.getTime()) / 3_600_000 : null);

  it('card: the checkout reservation, no reminder', () => {
    const { expiresAt, remindAt } = paymentDeadlines('card', placedAt, settings);
    expect(expiresAt!.getTime() - placedAt.getTime()).toBe(1_800_000);
    expect(remindAt).toBeNull();
  });

  it('bank transfer: held 7 days, reminded 48 hours before; both configurable', () => {
    const held = paymentDeadlines('bank_transfer', placedAt, settings);
    expect(hours(held.expiresAt)).toBe(7 * 24);
    expect(hours(held.remindAt)).toBe(5 * 24);
    const short = paymentDeadlines('bank_transfer', placedAt, {
      ...settings,
      bankTransferHoldDays: 3,
      bankTransferReminderHours: 12,
    });
    expect(hours(short.expiresAt)).toBe(72);
    expect(hours(short.remindAt)).toBe(60);
    expect(
      paymentDeadlines('bank_transfer', placedAt, { ...settings, bankTransferReminderHours: 0 }).remindAt,
    ).toBeNull();
  });

  it('cash on delivery: no deadline and no reminder', () => {
    expect(paymentDeadlines('cash_on_delivery', placedAt, settings)).toEqual({
      expiresAt: null,
      remindAt: null,
    });
    expect(PAYMENT_POLICIES.cash_on_delivery).toEqual({
      deadline: 'none',
      remindsBeforeDeadline: false,
      shipsUnpaid: true,
    });
  });
});
