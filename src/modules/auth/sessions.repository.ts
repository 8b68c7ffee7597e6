import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';

export interface RefreshTokenWithSession {
  tokenId: string;
  usedAt: Date | null;
  session: Session;
}

/** Sessions and their refresh tokens. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertSession(manager: EntityManager, session: Omit<Session, 'createdAt'>): Promise<void> {
    await manager.insert(Session, session);
  }

  async insertRefreshToken(manager: EntityManager, sessionId: string, tokenHash: string): Promise<void> {
    await manager.insert(RefreshToken, { sessionId, tokenHash });
  }

  /** The token and its session, both locked: two refreshes with one token are serialised here. */
  async lockRefreshToken(manager: EntityManager, tokenHash: string): Promise<RefreshTokenWithSession | null> {
    const token = await manager.findOne(RefreshToken, {
      where: { tokenHash },
      lock: { mode: 'pessimistic_write' },
    });
    if (!token) return null;
    const session = await manager.findOne(Session, {
      where: { id: token.sessionId },
      lock: { mode: 'pessimistic_write' },
    });
    return session ? { tokenId: token.id, usedAt: token.usedAt, session } : null;
  }

  async markRefreshTokenUsed(manager: EntityManager, tokenId: string): Promise<void> {
    await manager.update(RefreshToken, { id: tokenId }, { usedAt: new Date() });
  }

  async touch(manager: EntityManager, sessionId: string, ip: string, userAgent: string): Promise<void> {
    await manager.update(Session, { id: sessionId }, { lastUsedAt: new Date(), ip, userAgent });
  }

  /** Revokes one live session; false when it was not live (or not the user's). */
  async revoke(manager: EntityManager, userId: string, sessionId: string, reason: string): Promise<boolean> {
    const result = await manager.update(
      Session,
      { id: sessionId, userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokeReason: reason },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live session of the user; returns their ids (their access tokens die too). */
  async revokeAll(manager: EntityManager, userId: string, reason: string): Promise<string[]> {
    const live = await manager.find(Session, {
      select: { id: true },
      where: { userId, revokedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    if (live.length === 0) return [];
    await manager.update(
      Session,
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokeReason: reason },
    );
    return live.map((session) => session.id);
  }

  /** The session when it is live (not revoked, not past its end); read outside any transaction. */
  findLive(sessionId: string): Promise<Session | null> {
    return this.dataSource.manager.findOne(Session, {
      where: { id: sessionId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
    });
  }

  listLive(userId: string, tokenEpoch: number): Promise<Session[]> {
    return this.dataSource.manager.find(Session, {
      where: { userId, tokenEpoch, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC' },
      take: 100,
    });
  }
}
