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
      description:
        'A unique value per intended operation (e.g. a UUID v4), 1-255 printable ASCII characters. Retrying with the same key and body replays the first response with `Idempotent-Replayed: true`; keys are scoped to the caller and kept 24 hours (IDEMPOTENCY_TTL_HOURS).',
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: 255,
        example: '6f1c2a9e-8c43-4a51-9a1e-7d2b3c4d5e6f',
      },
    }),
    ApiProblemResponses(400, 409, 422),
  );
}
