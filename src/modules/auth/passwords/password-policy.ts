import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerDecorator, ValidationOptions } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
/** Long passphrases are welcome; the cap only keeps argon2 input bounded. Never truncated. */
export const PASSWORD_MAX_LENGTH = 256;

let commonPasswords: ReadonlySet<string> | undefined;

/** Loaded once, on first use (20,000 entries, ~200 kB). */
function common(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0),
  );
  return commonPasswords;
}

/** Why a password is not acceptable, or null (NIST SP 800-63B: length and a blocklist, no composition rules). */
export function passwordProblem(password: unknown): string | null {
  if (typeof password !== 'string') return 'must be a string';
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  if (common().has(password.toLowerCase())) return 'is one of the most common passwords; choose another';
  return null;
}

/** class-validator rule for a new password: length and the common-password list. */
export function IsAcceptablePassword(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => passwordProblem(value) === null,
        defaultMessage: (args) => `${args?.property} ${passwordProblem(args?.value)}`,
      },
    });
}
