import { hashToken, NotFoundError, randomToken, UserPrincipal } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { PrincipalCache, type User, UsersService } from '../users';
import { LiveSessionsService } from './live-sessions.service';
import { InvalidTokenError } from './auth.errors';
import { SessionResponseDto, toSessionResponse } from './dto/session.response.dto';
import { SessionsRepository } from './sessions.repository';
import { IssuedTokens, TokenService } from './tokens/token.service';

/** Where a request came from: recorded on the session so its owner recognises it. */
export interface ClientMeta {
  ip: string;
  userAgent: string;
}

const REFRESH_TOKEN_PREFIX = 'rt_';

/**
 * Sessions with rotating refresh tokens. Each refresh spends the presented token and issues the
 * next; a spent token presented again means two parties hold the family, so the whole session ends.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly sessions: SessionsRepository,
    private readonly users: UsersService,
    private readonly cache: PrincipalCache,
    private readonly tokens: TokenService,
    private readonly config: AppConfig,
    private readonly liveSessions: LiveSessionsService,
  ) {}

  /** Starts a session for a user who has just proved who they are, inside the caller's transaction. */
  async start(manager: EntityManager, user: User, client: ClientMeta): Promise<IssuedTokens> {
    const sessionId = uuidv7();
    const now = new Date();
    const session = {
      id: sessionId,
      userId: user.id,
      tokenEpoch: user.tokenEpoch,
      userAgent: client.userAgent.slice(0, 255),
      ip: client.ip.slice(0, 45),
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.config.auth.refreshTokenTtlDays * 86_400_000),
      revokedAt: null,
      revokeReason: null,
    };
    await this.sessions.insertSession(manager, session);
    // Before the commit: a session that fails to commit leaves an entry no issued token names.
    await this.liveSessions.remember(session);
    return this.issue(manager, user, sessionId);
  }

  async refresh(refreshToken: string, client: ClientMeta): Promise<IssuedTokens> {
    const outcome = await this.transactions.run(async (manager) => {
      const found = await this.sessions.lockRefreshToken(manager, hashToken(refreshToken));
      if (!found) return { kind: 'invalid' as const };
      const { session } = found;
      if (found.usedAt) {
        // Reuse: the token was already exchanged, so someone else holds the family. End it.
        await this.sessions.revoke(manager, session.userId, session.id, 'refresh-token-reused');
        await this.refuseAccessTokens([session.id]);
        return { kind: 'reused' as const, sessionId: session.id };
      }
      const user = await this.users.findById(session.userId, manager);
      const live =
        user !== null &&
        user.status === 'active' &&
        session.revokedAt === null &&
        session.tokenEpoch === user.tokenEpoch &&
        session.expiresAt.getTime() > Date.now();
      if (!live) return { kind: 'invalid' as const };
      await this.sessions.markRefreshTokenUsed(manager, found.tokenId);
      await this.sessions.touch(manager, session.id, client.ip.slice(0, 45), client.userAgent.slice(0, 255));
      // Under the session's row lock, so a revocation (which takes it first) always writes after this.
      await this.liveSessions.remember(session);
      return { kind: 'rotated' as const, tokens: await this.issue(manager, user, session.id) };
    });
    switch (outcome.kind) {
      case 'rotated':
        return outcome.tokens;
      case 'reused':
        this.logger.warn({ sessionId: outcome.sessionId }, 'Refresh token reused: session revoked');
        throw new InvalidTokenError('This refresh token was already used; the session has been ended.');
      case 'invalid':
        throw new InvalidTokenError('The refresh token is invalid, expired or revoked; sign in again.');
    }
  }

  /** Ends one of the user's sessions; another user's session id is simply not found. */
  async revoke(principal: UserPrincipal, sessionId: string, reason = 'revoked'): Promise<void> {
    const revoked = await this.transactions.run(async (manager) => {
      if (!(await this.sessions.revoke(manager, principal.userId, sessionId, reason))) return false;
      await this.refuseAccessTokens([sessionId]);
      return true;
    });
    if (!revoked) throw new NotFoundError('You have no live session with this id.');
  }

  /** Marks sessions revoked in Redis from inside the transaction, before it commits (see LiveSessionsService). */
  private refuseAccessTokens(sessionIds: string[]): Promise<void> {
    return this.liveSessions.revoke(sessionIds);
  }

  /**
   * Ends every session of the user inside the caller's transaction; the caller raises the user's
   * token epoch in the same transaction, which makes every access token invalid at once (the
   * sessions' Redis entries are ended too, so none of them can be named by a token again).
   */
  async endAll(manager: EntityManager, userId: string, reason: string): Promise<string[]> {
    const ended = await this.sessions.revokeAll(manager, userId, reason);
    await this.refuseAccessTokens(ended);
    return ended;
  }

  async list(principal: UserPrincipal): Promise<SessionResponseDto[]> {
    const user = await this.cache.get(principal.userId);
    if (!user) return [];
    const sessions = await this.sessions.listLive(principal.userId, user.tokenEpoch);
    return sessions.map((session) => toSessionResponse(session, principal.sessionId));
  }

  private async issue(manager: EntityManager, user: User, sessionId: string): Promise<IssuedTokens> {
    const refreshToken = `${REFRESH_TOKEN_PREFIX}${randomToken(32)}`;
    await this.sessions.insertRefreshToken(manager, sessionId, hashToken(refreshToken));
    return {
      mfaRequired: false,
      accessToken: this.tokens.signAccess({ sub: user.id, sid: sessionId, ep: user.tokenEpoch }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
    };
  }
}
