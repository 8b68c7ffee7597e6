import { DomainError } from '@app/common';

export class DependencyUnavailableError extends DomainError {
  readonly kind = 'unavailable';
  readonly type = 'dependency-unavailable';
  readonly title = 'A dependency is unavailable';
}
