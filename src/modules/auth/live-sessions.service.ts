import { type InvalidatedCopy, InvalidationLink, REDIS_CLIENT } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PrincipalCache, type UserSnapshot } from '../users';
import { SessionsRepository } from './sessions.repository';
import { ACCESS_TOKEN_CLOCK_SKEW_SECONDS } from './tokens/token-claims';

/** What an access token says about its session: whose it is and in which token epoch it was issued. */
export interface SessionClaims {
  sub: string;
  sid: string;
  ep: number;
}

const REVOKED = 'revoked';
const SESSION_KEY_PREFIX = 'auth:session:';

/**
 * Which sessions are live, in Redis (shared by every replica): `auth:session:<sid>` holds
 * `live:<userId>:<tokenEpoch>` while the session lives and `revoked` for an access token's life after
 * it ends. A token is accepted only when its `sid` is a live session of its `sub` — a token minted
 * with the signing key for a made-up or someone else's session is refused. MySQL stays the record:
 * an entry Redis lost (flush, restart without persistence, a session older than this key) is read
 * from the session row once and stored again. Entries are read through this process's copy, which
 * Redis invalidates (DESIGN.md, Processes): a revocation's write reaches every replica at once.
 */
@Injectable()
export class LiveSessionsService {
  private readonly copy: InvalidatedCopy<string | null>;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly sessions: SessionsRepository,
    private readonly principals: PrincipalCache,
    private readonly config: AppConfig,
    link: InvalidationLink,
  ) {
    this.copy = link.copy({ keyPrefix: SESSION_KEY_PREFIX, maxEntries: 10_000, ttlMs: 60_000 });
  }

  static key(sessionId: string): string {
    return `${SESSION_KEY_PREFIX}${sessionId}`;
  }

  /**
   * The token's user as of now, when the token is still good: the user is active and in the token's
   * epoch, and the session is live and theirs. Null otherwise. With warm copies, no round trip.
   */
  async currentUser(claims: SessionClaims): Promise<UserSnapshot | null> {
    const key = LiveSessionsService.key(claims.sid);
    const [user, entry] = await Promise.all([
      this.principals.get(claims.sub),
      this.copy.read(key, () => this.redis.get(key)),
    ]);
    if (!user || user.status !== 'active' || user.tokenEpoch !== claims.ep) return null;
    return (await this.accepts(entry, claims)) ? user : null;
  }

  /**
   * Marks a session live until its absolute end. Called inside the transaction that starts or
   * refreshes it (the session row is locked then), so a revocation, which writes after taking that
   * lock, always lands after it.
   */
  async remember(session: {
    id: string;
    userId: string;
    tokenEpoch: number;
    expiresAt: Date;
  }): Promise<void> {
    const ttlMs = session.expiresAt.getTime() - Date.now();
    if (ttlMs <= 0) return;
    await this.redis.set(LiveSessionsService.key(session.id), liveEntry(session), 'PX', ttlMs);
  }

  /**
   * Refuses the access tokens of these sessions at once. Written from inside the revoking
   * transaction, before it commits: if Redis fails the revocation rolls back and the caller hears so;
   * if the commit fails after it, the session is refused a little early, which is the safe way round.
   */
  async revoke(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    const ttl = this.config.auth.accessTokenTtlSeconds + ACCESS_TOKEN_CLOCK_SKEW_SECONDS;
    for (const id of sessionIds) pipeline.set(LiveSessionsService.key(id), REVOKED, 'EX', ttl);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
  }

  /**
   * Whether the token's session is live and belongs to its subject and epoch, given its entry
   * (`null`: Redis has none, so the session row decides and the entry is stored).
   */
  private async accepts(entry: string | null, claims: SessionClaims): Promise<boolean> {
    const known = entry ?? (await this.load(claims.sid));
    return known === liveEntry({ userId: claims.sub, tokenEpoch: claims.ep });
  }

  private async load(sessionId: string): Promise<string> {
    const session = await this.sessions.findLive(sessionId);
    if (!session) return REVOKED; // not stored: an unknown id must not fill Redis
    const entry = liveEntry(session);
    const ttlMs = session.expiresAt.getTime() - Date.now();
    if (ttlMs <= 0) return entry;
    // NX: a revocation written meanwhile is never overwritten by this older read, and wins over it.
    const previous = await this.redis.set(
      LiveSessionsService.key(sessionId),
      entry,
      'PX',
      ttlMs,
      'NX',
      'GET',
    );
    return previous ?? entry;
  }
}

const liveEntry = (session: { userId: string; tokenEpoch: number }) =>
  `live:${session.userId}:${session.tokenEpoch}`;
