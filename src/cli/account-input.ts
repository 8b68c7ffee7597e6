// What a command line may be given for an account, checked before anything is connected to or
// written: the address as the app normalises it, a role, a password against the app's policy. Kept
// apart from the Nest modules so that bad input is refused at once.
import { type Role, ROLES } from '@app/common/access/permissions';
import { isEmail } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { normaliseEmail, passwordProblem } from '../modules/auth';

/** Bad input: reported as it is, with nothing written. */
export class AccountInputError extends Error {
  override readonly name = 'AccountInputError';
}

/** The address as the app stores and looks it up (NFC, trimmed, lower-cased), or why it is refused. */
export function normaliseAccountEmail(raw: unknown): string {
  const email = normaliseEmail({ value: raw });
  if (typeof email !== 'string' || email === '') throw new AccountInputError('an email address is required');
  if (email.length > 254 || !isEmail(email))
    throw new AccountInputError(`"${email}" is not an email address`);
  return email;
}

export function parseRole(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw))
    throw new AccountInputError(`role must be one of ${ROLES.join(', ')} (got "${raw}")`);
  return raw as Role;
}

/** Refuses a password the app itself would refuse at registration (length, the common-password list). */
export function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AccountInputError(`the password ${problem}`);
}

/** 24 URL-safe characters (144 random bits): far above the policy, never on the common list. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
