import { ValidationError } from 'class-validator';

export interface FieldError {
  /** Dotted path of the offending property, e.g. `lines.0.quantity`. */
  field: string;
  messages: string[];
}

/** Fields whose values are never repeated back (passwords, tokens, one-time codes, keys), by name. */
const SECRET_FIELD = /pass(word|phrase)|secret|token|^code$|^otp$|^pin$|key$|signature/i;
/** A property name worth naming back; anything else (a whole body sent as a form key, say) is not. */
const NAMEABLE_PROPERTY = /^([A-Za-z_$][A-Za-z0-9_$]{0,63}|\d{1,6})$/;
const UNNAMED_PROPERTY = '(unnamed property)';
const REDACTED = '(redacted)';

/** Thrown by the global ValidationPipe; rendered as a 400 with `errors[]`. */
export class RequestValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super('The request is invalid');
    this.name = 'RequestValidationError';
  }

  static fromValidationErrors(errors: ValidationError[]): RequestValidationError {
    return new RequestValidationError(flatten(errors, ''));
  }
}

/**
 * The messages of one property, safe to send: an unknown property's name is only repeated when it
 * looks like a name (the error would otherwise echo whatever was sent as a key), and a secret
 * field's value never appears, whatever a constraint's message template holds.
 */
function messagesOf(error: ValidationError, name: string): string[] {
  const value = error.value as unknown;
  const secret =
    SECRET_FIELD.test(error.property) && (typeof value === 'string' || typeof value === 'number')
      ? String(value)
      : '';
  return Object.values(error.constraints ?? {}).map((message) => {
    let safe =
      name === error.property || !error.property ? message : message.split(error.property).join(name);
    // Whole occurrences only: a password "password" must not turn "most common passwords" into noise.
    if (secret) safe = redactStandingAlone(safe, secret);
    return safe;
  });
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** `message` with each occurrence of `secret` that no letter or digit touches replaced (no RegExp: a secret may be 70 KB). */
function redactStandingAlone(message: string, secret: string): string {
  let result = '';
  let from = 0;
  for (let at = message.indexOf(secret); at !== -1; at = message.indexOf(secret, at + 1)) {
    const touched =
      WORD_CHARACTER.test(message.charAt(at - 1)) || WORD_CHARACTER.test(message.charAt(at + secret.length));
    if (touched || at < from) continue;
    result += message.slice(from, at) + REDACTED;
    from = at + secret.length;
  }
  return result + message.slice(from);
}

function flatten(errors: ValidationError[], prefix: string): FieldError[] {
  return errors.flatMap((error) => {
    const name = NAMEABLE_PROPERTY.test(error.property) ? error.property : UNNAMED_PROPERTY;
    const field = prefix ? `${prefix}.${name}` : name;
    const own: FieldError[] = error.constraints ? [{ field, messages: messagesOf(error, name) }] : [];
    return own.concat(flatten(error.children ?? [], field));
  });
}
