import { SecretBox } from '@app/common';
import { createHash } from 'node:crypto';
import type { WebhookEndpoint } from './entities/webhook-endpoint.entity';

/** Associated data that binds a sealed secret to its endpoint (a row copied to another endpoint cannot open). */
export const secretContext = (endpointId: string): string => `webhook:${endpointId}`;

/** The secrets that sign an attempt now: the current one, and the previous one during its grace period. */
export function activeSecrets(box: SecretBox, endpoint: WebhookEndpoint, now = new Date()): string[] {
  const secrets = [box.open(endpoint.secretSealed, secretContext(endpoint.id))];
  if (
    endpoint.previousSecretSealed &&
    endpoint.previousSecretExpiresAt &&
    endpoint.previousSecretExpiresAt > now
  )
    secrets.push(box.open(endpoint.previousSecretSealed, secretContext(endpoint.id)));
  return secrets;
}

/**
 * The delivery id, sent as `webhook-id`: derived from the event and the endpoint, so a redelivered
 * event maps to the same delivery (and receivers dedupe on it).
 */
export function deliveryIdFor(eventId: string, endpointId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\n${endpointId}`).digest('hex').slice(0, 32)}`;
}

/** The body every attempt sends, rendered once: `{id, type, timestamp, data}` (Standard Webhooks payload). */
export function renderWebhookBody(event: {
  id: string;
  type: string;
  timestamp: string;
  data: object;
}): string {
  return JSON.stringify({ id: event.id, type: event.type, timestamp: event.timestamp, data: event.data });
}
