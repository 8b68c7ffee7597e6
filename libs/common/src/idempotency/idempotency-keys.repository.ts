import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { IdempotencyKey } from './idempotency-key.entity';

const ER_DUP_ENTRY = 1062;

/** Identifies one claim on a key: only its holder may complete or release it. */
export interface IdempotencyClaim {
  scope: string;
  keyHash: string;
  claimToken: string;
}

export interface NewClaim extends IdempotencyClaim {
  requestFingerprint: string;
  method: string;
  path: string;
  lockedUntil: Date;
  createdAt: Date;
  expiresAt: Date;
}

export interface StoredResponse {
  status: number;
  body: string | null;
  contentType: string | null;
}

const isDuplicateEntry = (error: unknown): boolean =>
  error instanceof QueryFailedError &&
  (error.driverError as { errno?: unknown } | undefined)?.errno === ER_DUP_ENTRY;

/**
 * The SQL of idempotency keys. Every method is one statement on its own (autocommit): a claim is
 * never held in a transaction across the request it protects.
 */
@Injectable()
export class IdempotencyKeysRepository {
  /** The unique (scope, key) primary key decides the race: true for the one INSERT that wins. */
  async insertClaim(manager: EntityManager, claim: NewClaim): Promise<boolean> {
    try {
      await manager.insert(IdempotencyKey, { ...claim, state: 'in_flight' });
      return true;
    } catch (error) {
      if (isDuplicateEntry(error)) return false;
      throw error;
    }
  }

  findByKey(manager: EntityManager, scope: string, keyHash: string): Promise<IdempotencyKey | null> {
    return manager.findOne(IdempotencyKey, { where: { scope, keyHash } });
  }

  /** Re-claims an expired or abandoned row, only if nobody else re-claimed it since it was read. */
  async takeOver(manager: EntityManager, previousClaimToken: string, claim: NewClaim): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(IdempotencyKey)
      .set({
        claimToken: claim.claimToken,
        requestFingerprint: claim.requestFingerprint,
        method: claim.method,
        path: claim.path,
        state: 'in_flight',
        responseStatus: null,
        responseBody: null,
        responseContentType: null,
        lockedUntil: claim.lockedUntil,
        createdAt: claim.createdAt,
        expiresAt: claim.expiresAt,
      })
      .where('scope = :scope AND key_hash = :keyHash AND claim_token = :previousClaimToken', {
        scope: claim.scope,
        keyHash: claim.keyHash,
        previousClaimToken,
      })
      .execute();
    return result.affected === 1;
  }

  async complete(
    manager: EntityManager,
    claim: IdempotencyClaim,
    response: StoredResponse,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(IdempotencyKey)
      .set({
        state: 'completed',
        responseStatus: response.status,
        responseBody: response.body,
        responseContentType: response.contentType,
        lockedUntil: null,
      })
      .where("scope = :scope AND key_hash = :keyHash AND claim_token = :claimToken AND state = 'in_flight'", {
        ...claim,
      })
      .execute();
    return result.affected === 1;
  }

  async release(manager: EntityManager, claim: IdempotencyClaim): Promise<void> {
    await manager
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKey)
      .where("scope = :scope AND key_hash = :keyHash AND claim_token = :claimToken AND state = 'in_flight'", {
        ...claim,
      })
      .execute();
  }

  /** Deletes up to `limit` rows expired before `now`; returns how many went. */
  async deleteExpired(manager: EntityManager, now: Date, limit: number): Promise<number> {
    const result = await manager.query<{ affectedRows?: number }>(
      'DELETE FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ?',
      [now, limit],
    );
    return result.affectedRows ?? 0;
  }
}
