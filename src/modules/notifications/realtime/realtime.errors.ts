import { DomainError, RateLimitedError, UnauthenticatedError } from '@app/common';

/** The ticket was never issued, was used already or has expired (tickets are single-use, short-lived). */
export class StreamTicketInvalidError extends UnauthenticatedError {
  constructor() {
    super('The stream ticket is unknown, used or expired: ask POST /v1/events/tickets for a new one.');
  }
}

/** A guest asked for a ticket without a token that opens the order. */
export class OrderNotFollowableError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'not-found';
  readonly title = 'Resource not found';
  constructor(orderId: string) {
    super(`No order ${orderId} that this token opens.`);
  }
}

/** `Last-Event-ID` (or `lastEventId`) is not an id this API sent. */
export class MalformedLastEventIdError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'malformed-last-event-id';
  readonly title = 'Malformed Last-Event-ID';
  constructor() {
    super('Last-Event-ID must be the id of an event this stream sent (`<milliseconds>-<sequence>`).');
  }
}

/** The caller already holds as many streams as allowed. */
export class TooManyStreamsError extends RateLimitedError {
  constructor(limit: number, retryAfterSeconds: number) {
    super(`At most ${limit} event streams may be open at once: close one first.`, retryAfterSeconds);
  }
}

/** The event stream cannot be read (Redis is away): try again shortly. */
export class RealtimeUnavailableError extends DomainError {
  readonly kind = 'unavailable';
  readonly type = 'events-unavailable';
  readonly title = 'Real-time events are unavailable';
  constructor() {
    super(
      'The event stream cannot be reached right now; reconnect in a few seconds.',
      {},
      { 'retry-after': '5' },
    );
  }
}

/** A guest asked for a ticket without naming the order to follow. */
export class GuestTicketNeedsOrderError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'guest-ticket-needs-order';
  readonly title = 'A guest ticket follows one order';
  constructor() {
    super('Sign in for your own feed, or send the orderId to follow with its order token (X-Order-Token).');
  }
}
