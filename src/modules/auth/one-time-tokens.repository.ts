import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { EmailToken, EmailTokenPurpose } from './entities/email-token.entity';
import { RecoveryCode } from './entities/recovery-code.entity';

/** Single-use secrets: email tokens (verification, reset) and MFA recovery codes, all hashed. */
@Injectable()
export class OneTimeTokensRepository {
  async insertEmailToken(
    manager: EntityManager,
    token: Pick<EmailToken, 'userId' | 'purpose' | 'tokenHash' | 'expiresAt'>,
  ): Promise<void> {
    await manager.insert(EmailToken, token);
  }

  /** Ends the user's unused tokens of this purpose (a new reset mail makes older links useless). */
  async invalidateUnused(manager: EntityManager, userId: string, purpose: EmailTokenPurpose): Promise<void> {
    await manager.update(EmailToken, { userId, purpose, usedAt: IsNull() }, { usedAt: new Date() });
  }

  /**
   * Uses a live token: one conditional UPDATE, so of two concurrent uses exactly one wins.
   * Returns the user id, or null when the token is unknown, used or expired.
   */
  async consumeEmailToken(
    manager: EntityManager,
    tokenHash: string,
    purpose: EmailTokenPurpose,
  ): Promise<string | null> {
    const token = await manager.findOneBy(EmailToken, { tokenHash, purpose });
    if (!token || token.usedAt || token.expiresAt.getTime() <= Date.now()) return null;
    const result = await manager.update(
      EmailToken,
      { id: token.id, usedAt: IsNull() },
      { usedAt: new Date() },
    );
    return (result.affected ?? 0) === 1 ? token.userId : null;
  }

  async replaceRecoveryCodes(manager: EntityManager, userId: string, codeHashes: string[]): Promise<void> {
    await manager.delete(RecoveryCode, { userId });
    if (codeHashes.length > 0) {
      await manager.insert(
        RecoveryCode,
        codeHashes.map((codeHash) => ({ userId, codeHash })),
      );
    }
  }

  /** Uses a recovery code once (a conditional UPDATE, safe under concurrency). */
  async consumeRecoveryCode(manager: EntityManager, userId: string, codeHash: string): Promise<boolean> {
    const result = await manager.update(
      RecoveryCode,
      { userId, codeHash, usedAt: IsNull() },
      { usedAt: new Date() },
    );
    return (result.affected ?? 0) === 1;
  }
}
