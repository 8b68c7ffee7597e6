import { DEPENDENCY_RETRY_AFTER_SECONDS, DomainError } from '@app/common';

export class DependencyUnavailableError extends DomainError {
  readonly kind = 'unavailable';
  readonly type = 'dependency-unavailable';
  readonly title = 'A dependency is unavailable';
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    // A load balancer or client polling readiness is told when to look again, as the API's own 503s do.
    super(detail, extensions, { 'retry-after': String(DEPENDENCY_RETRY_AFTER_SECONDS) });
  }
}
