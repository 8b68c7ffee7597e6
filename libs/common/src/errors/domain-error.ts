/**
 * What went wrong, in domain terms. Services throw these (they also run in the worker, where HTTP
 * means nothing); the one exception filter maps the kind to an HTTP status.
 */
export type DomainErrorKind =
  | 'malformed' // the request itself is malformed in a way a DTO cannot say (a bad header) (400)
  | 'invalid' // the request is well-formed but not acceptable (422)
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // state conflict: duplicate, illegal transition, in-flight duplicate (409)
  | 'precondition_failed' // a stale If-Match / version (412)
  | 'rate_limited' // 429
  | 'unavailable'; // a dependency is down (503)

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** Stable, kebab-case problem type; becomes `/problems/<type>` in the problem+json body. */
  abstract readonly type: string;
  /** Short, human-readable summary of the problem type (the same for every occurrence). */
  abstract readonly title: string;

  constructor(
    readonly detail: string,
    /** Extra members added to the problem+json body (RFC 9457 extensions). */
    readonly extensions: Record<string, unknown> = {},
    /** Response headers the problem needs (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'not-found';
  readonly title = 'Resource not found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'conflict';
  readonly title = 'Conflict with the current state';
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
  readonly type = 'unauthenticated';
  readonly title = 'Authentication required';
  constructor(detail = 'Send a valid access token or API key in the Authorization header.') {
    super(detail, {}, { 'www-authenticate': 'Bearer realm="storekeep"' });
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  readonly type = 'forbidden';
  readonly title = 'Not allowed';
}

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  readonly type = 'rate-limited';
  readonly title = 'Too many requests';
  constructor(detail: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(detail, { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
  }
}

/** The write was based on an older version than the stored one (optimistic concurrency). */
export class StaleVersionError extends DomainError {
  readonly kind: 'conflict' | 'precondition_failed';
  readonly type = 'stale-version';
  readonly title = 'The resource changed since you read it';
  constructor(what: string, expected: number, current: number, viaIfMatch: boolean) {
    super(`The ${what} is at version ${current}, not ${expected}: read it again and re-apply your change.`, {
      currentVersion: current,
    });
    this.kind = viaIfMatch ? 'precondition_failed' : 'conflict';
  }
}
