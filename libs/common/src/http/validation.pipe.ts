import { ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/request-validation.error';

/** Strict input: unknown fields are refused, payloads become DTO instances, errors become problem+json. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
  });
}
