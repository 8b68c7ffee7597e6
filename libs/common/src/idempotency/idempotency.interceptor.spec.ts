import { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import { DomainError, RateLimitedError } from '../errors/domain-error';
import { RequestValidationError } from '../errors/request-validation.error';
import type { IdempotencyClaim } from './idempotency-keys.repository';
import {
  IdempotencyKeyInFlightError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
} from './idempotency.errors';
import { IDEMPOTENT_OPTIONS, IdempotencyInterceptor } from './idempotency.interceptor';
import { ClaimOutcome, IdempotencyService } from './idempotency.service';

class OutOfStockError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'out-of-stock';
  readonly title = 'Conflict with the current state';
}

const CLAIM: IdempotencyClaim = { scope: 'anonymous', keyHash: 'h', claimToken: 't' };

function setup(
  options: { required?: boolean } = {},
  headers: Record<string, string> = { 'idempotency-key': 'k1' },
) {
  const service = {
    claim: jest.fn<Promise<ClaimOutcome>, Parameters<IdempotencyService['claim']>>(),
    complete: jest
      .fn<Promise<void>, Parameters<IdempotencyService['complete']>>()
      .mockResolvedValue(undefined),
    release: jest.fn<Promise<void>, Parameters<IdempotencyService['release']>>().mockResolvedValue(undefined),
  };
  const handler = function probe() {};
  Reflect.defineMetadata(IDEMPOTENT_OPTIONS, options, handler);
  const request = { method: 'POST', url: '/v1/things?x=1', body: { b: 1, a: 2 }, headers, id: 'req-1' };
  const reply = {
    statusCode: 201,
    headers: {} as Record<string, string>,
    status: jest.fn(function (this: { statusCode: number }, code: number) {
      this.statusCode = code;
      return this;
    }),
    header: jest.fn(function (this: { headers: Record<string, string> }, name: string, value: string) {
      this.headers[name] = value;
      return this;
    }),
  };
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  const interceptor = new IdempotencyInterceptor(new Reflector(), service as unknown as IdempotencyService);
  let ran = 0;
  const next = (result: () => Observable<unknown>): CallHandler => ({
    handle: () => {
      ran++;
      return result();
    },
  });
  const run = async (result: () => Observable<unknown>) =>
    lastValueFrom(await interceptor.intercept(context, next(result)), { defaultValue: undefined });
  return { service, reply, run, ran: () => ran };
}

describe('IdempotencyInterceptor', () => {
  it('claims the key for the caller, fingerprint and path, then stores the status and JSON body', async () => {
    const { service, run, ran } = setup();
    service.claim.mockResolvedValue({ kind: 'claimed', claim: CLAIM });
    await expect(run(() => of({ id: 'o1', total: 1200 }))).resolves.toEqual({ id: 'o1', total: 1200 });
    expect(ran()).toBe(1);
    expect(service.claim).toHaveBeenCalledWith({
      scope: 'anonymous',
      key: 'k1',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      method: 'POST',
      path: '/v1/things?x=1',
    });
    expect(service.complete).toHaveBeenCalledWith(CLAIM, {
      status: 201,
      body: '{"id":"o1","total":1200}',
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('replays a stored response without running the handler', async () => {
    const { service, reply, run, ran } = setup();
    service.claim.mockResolvedValue({
      kind: 'replay',
      response: {
        status: 409,
        body: '{"type":"/problems/out-of-stock"}',
        contentType: 'application/problem+json',
      },
    });
    await expect(run(() => of('never'))).resolves.toBe('{"type":"/problems/out-of-stock"}');
    expect(ran()).toBe(0);
    expect(reply.statusCode).toBe(409);
    expect(reply.headers).toEqual({
      'Idempotent-Replayed': 'true',
      'content-type': 'application/problem+json',
    });
  });

  it.each([
    ['in_flight', IdempotencyKeyInFlightError],
    ['reused', IdempotencyKeyReusedError],
  ] as const)('answers a %s key with its error, without running the handler', async (kind, error) => {
    const { service, run, ran } = setup();
    service.claim.mockResolvedValue({ kind });
    await expect(run(() => of('never'))).rejects.toBeInstanceOf(error);
    expect(ran()).toBe(0);
  });

  it('stores a 4xx domain error as the filter renders it, and rethrows it', async () => {
    const { service, run } = setup();
    service.claim.mockResolvedValue({ kind: 'claimed', claim: CLAIM });
    const error = new OutOfStockError('SKU A has 1 left.', { sku: 'A' });
    await expect(run(() => throwError(() => error))).rejects.toBe(error);
    expect(service.release).not.toHaveBeenCalled();
    const [, stored] = service.complete.mock.calls[0];
    expect(stored.status).toBe(409);
    expect(stored.contentType).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(stored.body ?? '')).toEqual({
      type: '/problems/out-of-stock',
      title: 'Conflict with the current state',
      status: 409,
      detail: 'SKU A has 1 left.',
      instance: '/v1/things',
      requestId: 'req-1',
      sku: 'A',
    });
  });

  it.each([
    ['a validation error', new RequestValidationError([{ field: 'a', messages: ['bad'] }])],
    ['a rate limit', new RateLimitedError('slow down', 1)],
    ['an unexpected error', new Error('database went away')],
  ])('releases the claim after %s, and rethrows it', async (_label, error) => {
    const { service, run } = setup();
    service.claim.mockResolvedValue({ kind: 'claimed', claim: CLAIM });
    await expect(run(() => throwError(() => error))).rejects.toBe(error);
    expect(service.release).toHaveBeenCalledWith(CLAIM);
    expect(service.complete).not.toHaveBeenCalled();
  });

  it('refuses a request without the key when it is required', async () => {
    const { service, run } = setup({ required: true }, {});
    await expect(run(() => of('never'))).rejects.toBeInstanceOf(IdempotencyKeyRequiredError);
    expect(service.claim).not.toHaveBeenCalled();
  });

  it('lets a request without the key through when it is optional', async () => {
    const { service, run, ran } = setup({ required: false }, {});
    await expect(run(() => of({ ok: true }))).resolves.toEqual({ ok: true });
    expect(ran()).toBe(1);
    expect(service.claim).not.toHaveBeenCalled();
  });

  it('refuses a malformed key even when it is optional', async () => {
    const { run } = setup({ required: false }, { 'idempotency-key': '' });
    await expect(run(() => of('never'))).rejects.toBeInstanceOf(IdempotencyKeyInvalidError);
  });
});
