import { DomainError, NotFoundError } from '@app/common';

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('No user with this id.');
  }
}

/** Role changes and disabling are for others: nobody can raise, lower or lock out themselves. */
export class SelfManagementForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  readonly type = 'self-management-forbidden';
  readonly title = 'You cannot do this to your own account';
}

export class RoleAboveOwnError extends DomainError {
  readonly kind = 'forbidden';
  readonly type = 'role-above-own';
  readonly title = 'You cannot manage a role above your own';
}
