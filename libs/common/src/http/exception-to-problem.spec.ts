import {
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { QueryFailedError } from 'typeorm';
import { ConflictError, DomainError } from '../errors/domain-error';
import { RequestValidationError } from '../errors/request-validation.error';
import { exceptionToProblem } from './exception-to-problem';

class OrderNotCancellableError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'order-not-cancellable';
  readonly title = 'The order can no longer be cancelled';
}

const queryError = (errno: number, message: string) =>
  new QueryFailedError(
    'INSERT INTO users (email) VALUES (?)',
    ['a@b.c'],
    Object.assign(new Error(message), { errno }),
  );

describe('exceptionToProblem', () => {
  it('maps a domain error by kind and keeps its type, detail and extensions', () => {
    const problem = exceptionToProblem(
      new OrderNotCancellableError('Order 42 is shipped.', { currentState: 'shipped' }),
    );
    expect(problem).toEqual({
      status: 409,
      type: '/problems/order-not-cancellable',
      title: 'The order can no longer be cancelled',
      headers: {},
      detail: 'Order 42 is shipped.',
      extensions: { currentState: 'shipped' },
    });
  });

  it('renders validation errors with their fields', () => {
    const problem = exceptionToProblem(
      new RequestValidationError([{ field: 'email', messages: ['email must be an email'] }]),
    );
    expect(problem.status).toBe(400);
    expect(problem.extensions).toEqual({
      errors: [{ field: 'email', messages: ['email must be an email'] }],
    });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, '/problems/payload-too-large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, '/problems/unsupported-media-type'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, '/problems/malformed-json'],
  ])('maps Fastify %s (wrapped by Nest) to %i', (code, status, type) => {
    const fastifyError = Object.assign(new Error('raw'), { code, statusCode: status });
    const wrapped = new HttpException('raw', status, { cause: fastifyError });
    expect(exceptionToProblem(wrapped)).toEqual(expect.objectContaining({ status, type }));
  });

  it('maps duplicate keys and foreign keys to 409 without SQL in the detail', () => {
    const duplicate = exceptionToProblem(
      queryError(1062, "Duplicate entry 'a@b.c' for key 'uq_users_email'"),
    );
    expect(duplicate).toEqual(expect.objectContaining({ status: 409, type: '/problems/duplicate' }));
    expect(duplicate.detail).not.toMatch(/a@b\.c|uq_users_email|INSERT/);
    expect(exceptionToProblem(queryError(1452, 'fk'))).toEqual(expect.objectContaining({ status: 409 }));
  });

  it('maps rate limiting, Nest HTTP exceptions and 404s', () => {
    expect(exceptionToProblem(new ThrottlerException()).status).toBe(429);
    expect(exceptionToProblem(new BadRequestException('Bad cursor')).detail).toBe('Bad cursor');
    expect(exceptionToProblem(new NotFoundException('Cannot GET /secret/path')).detail).not.toContain(
      '/secret/path',
    );
    expect(exceptionToProblem(new ConflictError('x')).status).toBe(409);
  });

  it('turns anything else into a 500 that says nothing about the cause', () => {
    const problem = exceptionToProblem(
      new TypeError("Cannot read properties of undefined (reading 'password')"),
    );
    expect(problem.status).toBe(500);
    expect(problem.unexpected).toBe(true);
    expect(problem.detail).not.toMatch(/password|undefined/);
    expect(exceptionToProblem(queryError(1054, 'Unknown column')).status).toBe(500);
    expect(exceptionToProblem('a string').status).toBe(500);
    const thrown = exceptionToProblem(new InternalServerErrorException('pool exhausted at db-3.internal'));
    expect(thrown).toEqual(expect.objectContaining({ status: 500, unexpected: true }));
    expect(thrown.detail).not.toContain('db-3');
    expect(exceptionToProblem(undefined).status).toBe(500);
  });

  it.each([
    [
      'mysql2 refused at connect',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
    ],
    [
      'a query whose connection was lost',
      new QueryFailedError(
        'SELECT 1',
        [],
        Object.assign(new Error('Connection lost: The server closed the connection.'), {
          code: 'PROTOCOL_CONNECTION_LOST',
        }),
      ),
    ],
    ['MariaDB shutting down', queryError(1053, 'Server shutdown in progress')],
    ['too many connections', queryError(1040, 'Too many connections')],
    [
      'a fatal mysql2 error wrapped by TypeORM',
      new QueryFailedError('SELECT 1', [], Object.assign(new Error('closed state'), { fatal: true })),
    ],
    [
      'ioredis giving up',
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    ['ioredis on a closed connection', new Error('Connection is closed.')],
  ])('maps %s to 503 with Retry-After, saying nothing of the cause', (_what, error) => {
    const problem = exceptionToProblem(error);
    expect(problem).toEqual(
      expect.objectContaining({
        status: 503,
        type: '/problems/dependency-unavailable',
        headers: { 'retry-after': '5' },
        extensions: { retryAfterSeconds: 5 },
      }),
    );
    expect(problem.detail).not.toMatch(/3306|127\.0\.0\.1|SELECT|closed/);
  });
});
