import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from './payment-provider';

/** Stripe's webhook signing scheme, used by the sandbox: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signPayload(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/** Checks the header against the exact raw body and its age; throws WebhookSignatureError otherwise. */
export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  now = Math.floor(Date.now() / 1000),
): void {
  if (!header) throw new WebhookSignatureError('no signature header');
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key]) => key === 'v1').map(([, value]) => value);
  if (!Number.isInteger(timestamp) || signatures.length === 0)
    throw new WebhookSignatureError('malformed header');
  if (Math.abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS)
    throw new WebhookSignatureError('timestamp too old');
  const expected = Buffer.from(
    createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex'),
    'utf8',
  );
  const matches = signatures.some((signature) => {
    const given = Buffer.from(signature, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookSignatureError('signature does not match');
}
