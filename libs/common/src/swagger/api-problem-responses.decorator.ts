import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details';
import { ProblemDetailsDto } from './problem-details.dto';

/** One description per problem status, shared by every operation (see openapi-document.ts). */
export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request or failed validation',
  401: 'Missing or invalid credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found (or not yours)',
  409: 'Conflicts with the current state',
  412: 'Stale version (If-Match)',
  413: 'Body larger than the limit',
  414: 'Request URI too long',
  415: 'Body is not JSON (send `Content-Type: application/json`)',
  422: 'Understood but not acceptable',
  429: 'Rate limited; see Retry-After',
  431: 'Request header fields (or the query) too large',
  500: 'Unexpected server error (no details leak)',
  503: 'A dependency is unavailable',
};

/** Documents error responses as RFC 9457 problem+json, so clients see every failure they must handle. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}
