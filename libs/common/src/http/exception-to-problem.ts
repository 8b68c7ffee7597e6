import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { DomainError, DomainErrorKind } from '../errors/domain-error';
import { RequestValidationError } from '../errors/request-validation.error';
import { problemType } from './problem-details';

/** A problem, before the request-specific members (`instance`, `requestId`) are added. */
export interface MappedProblem {
  status: number;
  type: string;
  title: string;
  detail: string;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** True when the cause is ours, not the client's: it is logged with its stack. */
  unexpected?: boolean;
}

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  malformed: HttpStatus.BAD_REQUEST,
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  precondition_failed: HttpStatus.PRECONDITION_FAILED,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Fastify's own request errors (body parsing, limits, media types), by error code. */
const FASTIFY_ERRORS: Record<string, { status: number; slug: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    slug: 'payload-too-large',
    detail: 'The request body is larger than this server accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    slug: 'unsupported-media-type',
    detail: 'The request body must be sent as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: HttpStatus.BAD_REQUEST,
    slug: 'malformed-request',
    detail: 'The Content-Length header does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: HttpStatus.BAD_REQUEST,
    slug: 'malformed-json',
    detail: 'The request says it carries JSON but the body is empty.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: HttpStatus.BAD_REQUEST,
    slug: 'malformed-json',
    detail: 'The request body is not valid JSON.',
  },
  // Raised by the router before any hook runs (see `answerFrameworkError`); details never echo the URL.
  FST_ERR_MAX_PARAM_LENGTH: {
    status: HttpStatus.URI_TOO_LONG,
    slug: 'uri-too-long',
    detail: 'A path segment is longer than this server accepts (100 characters); no id is that long.',
  },
  FST_ERR_BAD_URL: {
    status: HttpStatus.BAD_REQUEST,
    slug: 'malformed-url',
    detail: 'The URL is not valid: a path segment could not be decoded.',
  },
};

/** MySQL/MariaDB errors a client can cause, by errno. Details never carry SQL or schema names. */
const DATABASE_ERRORS: Record<number, { status: number; slug: string; detail: string }> = {
  1062: {
    status: HttpStatus.CONFLICT,
    slug: 'duplicate',
    detail: 'A resource with the same unique value already exists.',
  },
  1451: {
    status: HttpStatus.CONFLICT,
    slug: 'still-referenced',
    detail: 'The resource is still referenced by others and cannot be removed.',
  },
  1452: {
    status: HttpStatus.CONFLICT,
    slug: 'missing-reference',
    detail: 'The request refers to a resource that does not exist.',
  },
  3819: {
    status: HttpStatus.CONFLICT,
    slug: 'constraint-violated',
    detail: 'The change would break a rule the data must keep.',
  },
  4025: {
    status: HttpStatus.CONFLICT,
    slug: 'constraint-violated',
    detail: 'The change would break a rule the data must keep.',
  },
  1292: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    slug: 'value-out-of-range',
    detail: 'A date or number is outside the range this field can hold.',
  },
  1264: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    slug: 'value-out-of-range',
    detail: 'A date or number is outside the range this field can hold.',
  },
  1406: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    slug: 'value-too-long',
    detail: 'A value is longer than the field allows.',
  },
};

/** Seconds a client is told to wait (Retry-After) when MySQL or Redis is down or went away. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/**
 * Error codes that say a dependency is down, restarting or went away mid-request (mysql2's and
 * Node's socket codes, ioredis's), not that the request was wrong: the same request may succeed on
 * retry. Whether a half-done write may be retried is for idempotency keys to say, not this mapping.
 */
const DEPENDENCY_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_CONNECTION_KILLED',
]);
/** The same for MySQL/MariaDB error numbers: too many connections, shutdown in progress, connection killed. */
const DEPENDENCY_DOWN_ERRNOS = new Set([1040, 1053, 1927]);
/** ioredis: a command given up while Redis is unreachable, or sent on a connection being closed. */
const REDIS_DOWN_NAMES = new Set(['MaxRetriesPerRequestError']);
const REDIS_DOWN_MESSAGES = new Set([
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
]);

interface DependencyErrorShape {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  name?: unknown;
  message?: unknown;
}

/** Whether the error (or what TypeORM or Nest wrapped in it) says MySQL or Redis is unavailable. */
function isDependencyDown(exception: unknown): boolean {
  const candidates: unknown[] = [exception];
  if (exception instanceof QueryFailedError) candidates.push(exception.driverError);
  if (exception instanceof Error && exception.cause) candidates.push(exception.cause);
  return candidates.some((candidate) => {
    if (typeof candidate !== 'object' || candidate === null) return false;
    const error = candidate as DependencyErrorShape;
    return (
      (typeof error.code === 'string' && DEPENDENCY_DOWN_CODES.has(error.code)) ||
      (typeof error.errno === 'number' && DEPENDENCY_DOWN_ERRNOS.has(error.errno)) ||
      // mysql2 marks every error that broke its connection as fatal (the socket closed under a query).
      error.fatal === true ||
      (typeof error.name === 'string' && REDIS_DOWN_NAMES.has(error.name)) ||
      (typeof error.message === 'string' && REDIS_DOWN_MESSAGES.has(error.message))
    );
  });
}

const statusTitle = (status: number): string => STATUS_CODES[status] ?? 'Error';

function slugOf(status: number): string {
  return statusTitle(status)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

interface ErrorWithCode {
  code?: unknown;
  statusCode?: unknown;
  errno?: unknown;
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/** The HTTP status a domain error kind stands for. */
export const statusOfDomainError = (error: DomainError): number => STATUS_BY_KIND[error.kind];

/** Turns anything thrown while serving a request into the problem it stands for. */
export function exceptionToProblem(exception: unknown): MappedProblem {
  if (exception instanceof DomainError) {
    return {
      status: STATUS_BY_KIND[exception.kind],
      type: problemType(exception.type),
      title: exception.title,
      detail: exception.detail,
      extensions: exception.extensions,
      headers: exception.headers,
    };
  }
  if (exception instanceof RequestValidationError) {
    return {
      status: HttpStatus.BAD_REQUEST,
      type: problemType('validation-failed'),
      title: 'The request is invalid',
      detail: exception.errors.map((error) => `${error.field}: ${error.messages.join(', ')}`).join('; '),
      extensions: { errors: exception.errors },
    };
  }
  if (exception instanceof ThrottlerException) {
    return {
      status: HttpStatus.TOO_MANY_REQUESTS,
      type: problemType('rate-limited'),
      title: 'Too many requests',
      detail: 'Too many requests from this client; retry after the time given in Retry-After.',
    };
  }
  // Nest wraps Fastify's own request errors in an HttpException whose cause is the original.
  const cause = exception instanceof HttpException && exception.cause ? exception.cause : exception;
  const coded = (cause ?? {}) as ErrorWithCode;
  if (typeof coded.code === 'string' && coded.code in FASTIFY_ERRORS) {
    const known = FASTIFY_ERRORS[coded.code];
    return {
      status: known.status,
      type: problemType(known.slug),
      title: statusTitle(known.status),
      detail: known.detail,
    };
  }
  if (exception instanceof HttpException && exception.getStatus() >= 500) {
    // A server-side failure thrown as an HTTP exception: its message is ours, not the client's.
    const status = exception.getStatus();
    return {
      status,
      type: problemType(slugOf(status)),
      title: statusTitle(status),
      detail: 'Something went wrong on our side. The request id identifies it in our logs.',
      unexpected: true,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      status,
      type: problemType(slugOf(status)),
      title: statusTitle(status),
      detail: status === 404 ? 'No resource lives at this address.' : httpExceptionDetail(exception),
    };
  }
  if (cause instanceof SyntaxError && coded.statusCode === 400) {
    return {
      status: 400,
      type: problemType('malformed-json'),
      title: statusTitle(400),
      detail: 'The request body is not valid JSON.',
    };
  }
  if (exception instanceof QueryFailedError) {
    const errno = (exception.driverError as ErrorWithCode | undefined)?.errno;
    const known = typeof errno === 'number' ? DATABASE_ERRORS[errno] : undefined;
    if (known) {
      return {
        status: known.status,
        type: problemType(known.slug),
        title: statusTitle(known.status),
        detail: known.detail,
      };
    }
  }
  // Other Fastify client errors (e.g. a bad header) carry a 4xx status and a safe message.
  if (
    typeof coded.code === 'string' &&
    coded.code.startsWith('FST_') &&
    typeof coded.statusCode === 'number'
  ) {
    const status = coded.statusCode;
    if (status >= 400 && status < 500) {
      return {
        status,
        type: problemType(slugOf(status)),
        title: statusTitle(status),
        detail: statusTitle(status),
      };
    }
  }
  if (isDependencyDown(exception)) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      type: problemType('dependency-unavailable'),
      title: 'A dependency is unavailable',
      detail:
        'A service this request needs is unavailable for a moment; retry after the time given in Retry-After.',
      extensions: { retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS },
      headers: { 'retry-after': String(DEPENDENCY_RETRY_AFTER_SECONDS) },
    };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    type: problemType('internal-error'),
    title: statusTitle(500),
    detail: 'Something went wrong on our side. The request id identifies it in our logs.',
    unexpected: true,
  };
}
