import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  Logger,
  NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { catchError, from, mergeMap, Observable, of } from 'rxjs';
import type { AuthenticatedRequest } from '../access/access.decorators';
import { DomainError } from '../errors/domain-error';
import { exceptionToProblem, statusOfDomainError } from '../http/exception-to-problem';
import { PROBLEM_RESPONSE_CONTENT_TYPE, renderProblemBody } from '../http/problem-details.filter';
import type { IdempotencyClaim, StoredResponse } from './idempotency-keys.repository';
import {
  CART_TOKEN_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyScope,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency-request';
import {
  IdempotencyKeyInFlightError,
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
} from './idempotency.errors';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENT_OPTIONS = 'storekeep:idempotent';

export interface IdempotentOptions {
  /** Refuse a request without the header (400). Default true. */
  required?: boolean;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
/** Request-shape failures: the request never became an attempt, so nothing is remembered. */
const UNREMEMBERED_STATUSES = new Set<number>([
  HttpStatus.BAD_REQUEST,
  HttpStatus.PAYLOAD_TOO_LARGE,
  HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  HttpStatus.TOO_MANY_REQUESTS,
]);

/**
 * Applies an Idempotency-Key to one route (put there by `@Idempotent()`). It runs after the access
 * guard (so the caller is known) and around the pipes and the handler:
 * - claim the key (one INSERT; see IdempotencyService) or replay / 409 / 422 without running;
 * - success: store the status and JSON body, then send them;
 * - a 4xx DomainError: store the problem+json exactly as the filter renders it, then rethrow;
 * - validation and other request-shape errors, and anything unexpected: release the claim so the
 *   client can correct or retry with the same key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const options = this.reflector.get<IdempotentOptions | undefined>(
      IDEMPOTENT_OPTIONS,
      context.getHandler(),
    );
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();

    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]);
    if (key === undefined) {
      if (options?.required ?? true) throw new IdempotencyKeyRequiredError();
      return next.handle();
    }
    const outcome = await this.idempotency.claim({
      scope: idempotencyScope(request.principal, request.headers[CART_TOKEN_HEADER.toLowerCase()]),
      key,
      fingerprint: requestFingerprint(request.method, request.url, request.body),
      method: request.method,
      path: request.url,
    });
    switch (outcome.kind) {
      case 'replay':
        return of(this.replay(reply, outcome.response));
      case 'in_flight':
        throw new IdempotencyKeyInFlightError();
      case 'reused':
        throw new IdempotencyKeyReusedError();
      case 'claimed':
        return this.runClaimed(next, outcome.claim, request, reply);
    }
  }

  private runClaimed(
    next: CallHandler,
    claim: IdempotencyClaim,
    request: AuthenticatedRequest,
    reply: FastifyReply,
  ): Observable<unknown> {
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        // Nest set the status (@HttpCode, else 201 for POST and 200 otherwise) before the chain ran.
        await this.remember(claim, { status: reply.statusCode, ...serialize(body) });
        return body;
      }),
      catchError((error: unknown) => from(this.settleFailure(claim, error, request))),
    );
  }

  private async settleFailure(
    claim: IdempotencyClaim,
    error: unknown,
    request: AuthenticatedRequest,
  ): Promise<never> {
    const status = error instanceof DomainError ? statusOfDomainError(error) : undefined;
    if (status !== undefined && status < 500 && !UNREMEMBERED_STATUSES.has(status)) {
      // The handler ran and decided: a retry must get the same answer, not run it again.
      await this.remember(claim, {
        status,
        body: renderProblemBody(exceptionToProblem(error), request),
        contentType: PROBLEM_RESPONSE_CONTENT_TYPE,
      });
    } else {
      await this.idempotency.release(claim).catch((releaseError: unknown) => {
        // The claim then lapses after IDEMPOTENCY_LOCK_SECONDS and the key can be retried.
        this.logger.error({ err: releaseError }, 'Could not release an Idempotency-Key claim');
      });
    }
    throw error;
  }

  private async remember(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    try {
      await this.idempotency.complete(claim, response);
    } catch (error) {
      // The effect happened and the client must hear of it; a retry after the lock lapses runs
      // again, where domain guards (a cart checks out once) keep the effect single.
      this.logger.error({ err: error }, 'Could not store the response of an Idempotency-Key claim');
    }
  }

  private replay(reply: FastifyReply, response: StoredResponse): string | undefined {
    void reply.status(response.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    if (response.contentType) void reply.header('content-type', response.contentType);
    return response.body ?? undefined;
  }
}

/** The body as Fastify will send it: JSON for objects, text for strings, nothing for nothing. */
function serialize(body: unknown): Pick<StoredResponse, 'body' | 'contentType'> {
  if (body === undefined) return { body: null, contentType: null };
  if (typeof body === 'string') return { body, contentType: TEXT_CONTENT_TYPE };
  return { body: JSON.stringify(body), contentType: JSON_CONTENT_TYPE };
}
