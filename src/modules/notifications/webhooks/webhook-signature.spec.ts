import { createHmac } from 'node:crypto';
import { generateWebhookSecret, signWebhook, webhookHeaders } from './webhook-signature';
import { isValidEventFilter, matchesEventFilters } from './webhook-event-types';

describe('webhook signature (Standard Webhooks)', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('matches the spec’s published example', () => {
    // From the Standard Webhooks spec and its reference libraries' tests.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs `${id}.${timestamp}.${body}` with the decoded key, once per secret', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = webhookHeaders([a, b], 'msg_1', 1700000000, '{"x":1}');
    const expected = (secret: string) =>
      `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
        .update('msg_1.1700000000.{"x":1}')
        .digest('base64')}`;
    expect(headers).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `${expected(a)} ${expected(b)}`,
    });
  });
});

describe('event filters', () => {
  it.each([
    '*',
    'order.*',
    'payment.*',
    'inventory.*',
    'order.paid',
    'inventory.low-stock',
    'job.*',
    'job.failed',
  ])('accepts %s', (filter) => {
    expect(isValidEventFilter(filter)).toBe(true);
  });
  it.each(['', 'order', 'orders.*', 'order.paid.*', '*.paid', 'order.unknown', '**'])(
    'refuses %s',
    (filter) => {
      expect(isValidEventFilter(filter)).toBe(false);
    },
  );
  it('matches wildcards by group and exact types', () => {
    expect(matchesEventFilters(['order.*'], 'order.paid')).toBe(true);
    expect(matchesEventFilters(['order.*'], 'payment.succeeded')).toBe(false);
    expect(matchesEventFilters(['payment.failed', 'inventory.*'], 'payment.failed')).toBe(true);
    expect(matchesEventFilters(['*'], 'inventory.low-stock')).toBe(true);
    expect(matchesEventFilters([], 'order.paid')).toBe(false);
  });
});
