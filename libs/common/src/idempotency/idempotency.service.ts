import { AppConfig } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { decideOnExistingKey } from './idempotency-decision';
import {
  IdempotencyClaim,
  IdempotencyKeysRepository,
  NewClaim,
  StoredResponse,
} from './idempotency-keys.repository';
import { hashIdempotencyKey } from './idempotency-request';

/** A request that carries an Idempotency-Key, reduced to what the key is checked against. */
export interface IdempotentRequest {
  scope: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in_flight' }
  | { kind: 'reused' };

/** Rounds of insert-or-read; a round is lost only when the row changes between the two. */
const MAX_CLAIM_ROUNDS = 3;
const PRUNE_BATCH = 1_000;
const PATH_MAX = 500;

/**
 * Idempotency keys (DESIGN invariant 2): a request claims its key before it runs, by one INSERT
 * that only one concurrent request can win; duplicates replay the stored response, wait (409), or
 * are refused (422). No database transaction is held across the request itself.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyKeysRepository,
    private readonly config: AppConfig,
  ) {}

  async claim(request: IdempotentRequest): Promise<ClaimOutcome> {
    const manager = this.dataSource.manager;
    const keyHash = hashIdempotencyKey(request.key);
    for (let round = 1; round <= MAX_CLAIM_ROUNDS; round++) {
      const claim = this.newClaim(request, keyHash);
      if (await this.keys.insertClaim(manager, claim)) return { kind: 'claimed', claim };

      const existing = await this.keys.findByKey(manager, request.scope, keyHash);
      if (!existing) continue; // released between our INSERT and SELECT: try again
      const decision = decideOnExistingKey(existing, request.fingerprint, new Date());
      switch (decision) {
        case 'replay':
          return {
            kind: 'replay',
            response: {
              status: existing.responseStatus ?? 200,
              body: existing.responseBody,
              contentType: existing.responseContentType,
            },
          };
        case 'reused':
          return { kind: 'reused' };
        case 'in_flight':
          return { kind: 'in_flight' };
        case 'take_over':
          if (await this.keys.takeOver(manager, existing.claimToken, claim)) {
            if (existing.state === 'in_flight') {
              this.logger.warn(
                `Took over an abandoned Idempotency-Key claim (${request.method} ${claim.path}, locked until ${existing.lockedUntil?.toISOString()})`,
              );
            }
            return { kind: 'claimed', claim };
          }
          continue; // another request took it over first: read it again
      }
    }
    return { kind: 'in_flight' };
  }

  /** Stores the response of a claimed request; its retries get it from now on. */
  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    const stored = await this.keys.complete(this.dataSource.manager, claim, response);
    if (!stored) {
      // Our claim was taken over (we ran past the lock): the new holder's outcome stands.
      this.logger.warn('An Idempotency-Key claim was taken over before its request completed');
    }
  }

  /** Forgets a claim whose request had no effect to remember: the key may be used again at once. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.keys.release(this.dataSource.manager, claim);
  }

  /** Deletes expired keys in batches; returns how many. */
  async pruneExpired(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.keys.deleteExpired(this.dataSource.manager, now, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }

  private newClaim(request: IdempotentRequest, keyHash: string): NewClaim {
    const now = Date.now();
    return {
      scope: request.scope,
      keyHash,
      claimToken: randomBytes(16).toString('hex'),
      requestFingerprint: request.fingerprint,
      method: request.method,
      path: request.path.slice(0, PATH_MAX),
      lockedUntil: new Date(now + this.config.idempotency.lockSeconds * 1000),
      createdAt: new Date(now),
      expiresAt: new Date(now + this.config.idempotency.ttlHours * 3_600_000),
    };
  }
}
