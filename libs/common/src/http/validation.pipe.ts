import { ArgumentMetadata, UnsupportedMediaTypeException, ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/request-validation.error';
import { JSON_MEDIA_TYPE } from './json-body';

/**
 * A body that is not parsed JSON — a Buffer (`text/csv`, whose parser exists for the import route)
 * or a string — was sent with another media type: 415, not validation errors about its contents.
 */
class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (Buffer.isBuffer(value) || typeof value === 'string'))
      throw new UnsupportedMediaTypeException(`The request body must be sent as ${JSON_MEDIA_TYPE}.`);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** Strict input: unknown fields are refused, payloads become DTO instances, errors become problem+json. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
  });
}
