import { decideOnExistingKey } from './idempotency-decision';
import type { IdempotencyKey } from './idempotency-key.entity';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

type Row = Pick<IdempotencyKey, 'state' | 'requestFingerprint' | 'lockedUntil' | 'expiresAt'>;
const row = (overrides: Partial<Row> = {}): Row => ({
  state: 'completed',
  requestFingerprint: 'f1',
  lockedUntil: null,
  expiresAt: later(3_600_000),
  ...overrides,
});

describe('decideOnExistingKey', () => {
  it('replays a completed request with the same fingerprint', () => {
    expect(decideOnExistingKey(row(), 'f1', NOW)).toBe('replay');
  });

  it('refuses the key for a different request, completed or still running', () => {
    expect(decideOnExistingKey(row(), 'f2', NOW)).toBe('reused');
    expect(decideOnExistingKey(row({ state: 'in_flight', lockedUntil: later(1000) }), 'f2', NOW)).toBe(
      'reused',
    );
  });

  it('answers in flight while the first request holds its lock', () => {
    expect(decideOnExistingKey(row({ state: 'in_flight', lockedUntil: later(1) }), 'f1', NOW)).toBe(
      'in_flight',
    );
  });

  it('takes over an in-flight claim whose lock has run out (its owner crashed)', () => {
    expect(decideOnExistingKey(row({ state: 'in_flight', lockedUntil: NOW }), 'f1', NOW)).toBe('take_over');
    expect(decideOnExistingKey(row({ state: 'in_flight', lockedUntil: later(-1) }), 'f1', NOW)).toBe(
      'take_over',
    );
  });

  it('takes over an expired row as new, whatever it held', () => {
    expect(decideOnExistingKey(row({ expiresAt: NOW }), 'f1', NOW)).toBe('take_over');
    expect(decideOnExistingKey(row({ expiresAt: later(-1) }), 'other', NOW)).toBe('take_over');
    expect(
      decideOnExistingKey(
        row({ state: 'in_flight', lockedUntil: later(1000), expiresAt: later(-1) }),
        'f1',
        NOW,
      ),
    ).toBe('take_over');
  });
});
