import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblemResponses } from '../swagger/api-problem-responses.decorator';
import { IDEMPOTENT_OPTIONS, IdempotencyInterceptor, IdempotentOptions } from './idempotency.interceptor';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-request';

/**
 * Makes a route honour the `Idempotency-Key` header (DESIGN invariant 2): a retry with the same key
 * and body replays the first response (`Idempotent-Replayed: true`) without running the handler;
 * the same key with another body or route gets 422; a duplicate arriving while the first still
 * runs gets 409 with Retry-After. Keys are scoped to the caller and kept IDEMPOTENCY_TTL_HOURS.
 *
 * The interceptor needs IdempotencyModule (global, imported once by the API).
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  const required = options.required ?? true;
  return applyDecorators(
    SetMetadata(IDEMPOTENT_OPTIONS, { required } satisfies IdempotentOptions),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required,
      // No example: Swagger UI would fill it in, and every operation tried there would share one key.
      description:
        'A fresh value for each operation you mean to happen once (a new UUID v4 per order, payment or refund), 1-255 printable ASCII characters. Send the same key again only to retry that operation (after a timeout or a lost connection): with the same body you get the first response again, with `Idempotent-Replayed: true`; with another body, 422 `idempotency-key-reused`. Keys are scoped to the caller and kept 24 hours (IDEMPOTENCY_TTL_HOURS). In Swagger UI, leave it empty: each Execute sends a fresh key (see the curl command).',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiProblemResponses(400, 409, 422),
  );
}
