import { DomainError } from '../errors/domain-error';

export class IdempotencyKeyRequiredError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'idempotency-key-required';
  readonly title = 'An Idempotency-Key header is required';
  constructor() {
    super(
      'Send an Idempotency-Key header (1-255 printable ASCII characters, e.g. a UUID) so that a retry of this request cannot have its effect twice.',
    );
  }
}

export class IdempotencyKeyInvalidError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'idempotency-key-invalid';
  readonly title = 'The Idempotency-Key header is malformed';
  constructor() {
    super('The Idempotency-Key header must be one value of 1-255 printable ASCII characters.');
  }
}

/** The key was used before for another request (another body or another route). */
export class IdempotencyKeyReusedError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'idempotency-key-reused';
  readonly title = 'The Idempotency-Key was used for a different request';
  constructor() {
    super(
      'This Idempotency-Key was already used with a different request body or route. Use a new key for a new request.',
    );
  }
}

/** The first request with this key is still running; the retry may come back shortly. */
export class IdempotencyKeyInFlightError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'idempotency-key-in-flight';
  readonly title = 'A request with this Idempotency-Key is in progress';
  constructor(retryAfterSeconds = 1) {
    super(
      'A request with this Idempotency-Key is still being processed; retry after the time given in Retry-After to get its response.',
      {},
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}
