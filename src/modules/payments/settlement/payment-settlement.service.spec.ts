import { PAYMENT_STATES, type PaymentState } from '../entities/payment.entity';
import { canAdvance } from './payment-settlement.service';

describe('canAdvance: a payment only moves forward', () => {
  const legal: Array<[PaymentState, PaymentState]> = [
    ['pending', 'authorized'],
    ['pending', 'captured'],
    ['pending', 'failed'],
    ['requires_action', 'captured'],
    ['authorized', 'captured'],
    ['authorized', 'voided'],
    ['captured', 'partially_refunded'],
    ['captured', 'refunded'],
    ['partially_refunded', 'refunded'],
  ];

  it.each(legal)('%s → %s', (from, to) => expect(canAdvance(from, to)).toBe(true));

  it('refuses every move backwards, out of a final state, or failing after money was held', () => {
    const alsoAllowed = PAYMENT_STATES.flatMap((from) =>
      PAYMENT_STATES.map((to) => [from, to] as const),
    ).filter(([from, to]) => canAdvance(from, to) && !legal.some(([a, b]) => a === from && b === to));
    // Only the moves listed above, and the few failure/void moves from early states, are allowed.
    expect(alsoAllowed.map((move) => move.join('→')).sort()).toEqual(
      [
        ['pending', 'requires_action'],
        ['pending', 'voided'],
        ['pending', 'partially_refunded'],
        ['pending', 'refunded'],
        ['requires_action', 'authorized'],
        ['requires_action', 'partially_refunded'],
        ['requires_action', 'refunded'],
        ['requires_action', 'voided'],
        ['requires_action', 'failed'],
        ['authorized', 'partially_refunded'],
        ['authorized', 'refunded'],
      ]
        .map((move) => move.join('→'))
        .sort(),
    );
    expect(canAdvance('captured', 'authorized')).toBe(false);
    expect(canAdvance('captured', 'failed')).toBe(false);
    expect(canAdvance('failed', 'captured')).toBe(false);
    expect(canAdvance('refunded', 'captured')).toBe(false);
  });
});
