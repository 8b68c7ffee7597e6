import { DomainError } from '@app/common';

export class WebhookEndpointNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'not-found';
  readonly title = 'Resource not found';
  constructor(id: string) {
    super(`There is no webhook endpoint ${id}.`);
  }
}

export class WebhookDeliveryNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'not-found';
  readonly title = 'Resource not found';
  constructor(id: string) {
    super(`This endpoint has no delivery ${id}.`);
  }
}

/** The URL is not one webhooks may be sent to (scheme, credentials, or a private/local address). */
export class WebhookUrlRefusedError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'webhook-url-refused';
  readonly title = 'The webhook URL is not allowed';
  constructor(detail: string, reason: string) {
    super(detail, { reason });
  }
}

/** Replays and pings need the endpoint enabled (PATCH `enabled: true` first). */
export class WebhookEndpointDisabledError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'webhook-endpoint-disabled';
  readonly title = 'The webhook endpoint is disabled';
  constructor(id: string, reason: string | null) {
    super(`Webhook endpoint ${id} is disabled${reason ? ` (${reason})` : ''}: enable it first.`, { reason });
  }
}
