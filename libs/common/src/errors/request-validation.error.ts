import { ValidationError } from 'class-validator';

export interface FieldError {
  /** Dotted path of the offending property, e.g. `lines.0.quantity`. */
  field: string;
  messages: string[];
}

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

function flatten(errors: ValidationError[], prefix: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints
      ? [{ field, messages: Object.values(error.constraints) }]
      : [];
    return own.concat(flatten(error.children ?? [], field));
  });
}
