import { DomainError, UnauthenticatedError } from '@app/common';

/** The same answer whether the email is unknown or the password wrong: no account enumeration. */
export class InvalidCredentialsError extends DomainError {
  readonly kind = 'unauthenticated';
  readonly type = 'invalid-credentials';
  readonly title = 'Invalid credentials';
  constructor() {
    super('The email or the password is not right.');
  }
}

export class InvalidTokenError extends UnauthenticatedError {
  constructor(detail = 'The token is invalid, expired or revoked; sign in again.') {
    super(detail);
  }
}

export class AccountDisabledError extends DomainError {
  readonly kind = 'forbidden';
  readonly type = 'account-disabled';
  readonly title = 'This account is disabled';
}

export class InvalidOneTimeTokenError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'invalid-or-expired-token';
  readonly title = 'The token is invalid, used or expired';
}

export class InvalidMfaCodeError extends DomainError {
  readonly kind = 'unauthenticated';
  readonly type = 'invalid-mfa-code';
  readonly title = 'The code is not right';
}

export class MfaStateError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'mfa-state';
  readonly title = 'Two-factor authentication is not in the state this needs';
}

export class ScopeNotGrantableError extends DomainError {
  readonly kind = 'forbidden';
  readonly type = 'scope-not-grantable';
  readonly title = 'You cannot grant a scope you do not hold';
}

export class EmailAlreadyVerifiedError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'email-already-verified';
  readonly title = 'The email address is already verified';
}

export class PeopleOnlyError extends DomainError {
  readonly kind = 'forbidden';
  readonly type = 'people-only';
  readonly title = 'Only a signed-in person can do this';
}
