import { type InvalidatedCopy, InvalidationLink, REDIS_CLIENT, type Role, VersionedCache } from '@app/common';
import type { TransactionContext } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { User, UserStatus } from './entities/user.entity';
import { UsersRepository } from './users.repository';

/** What every authenticated request is checked against, and what `GET /v1/me` shows. */
export interface UserSnapshot {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  emailVerified: boolean;
  mfaEnabled: boolean;
  tokenEpoch: number;
  version: number;
  createdAt: string;
}

export function snapshotOf(user: User): UserSnapshot {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    emailVerified: user.emailVerifiedAt !== null,
    mfaEnabled: user.mfaEnabledAt !== null,
    tokenEpoch: user.tokenEpoch,
    version: user.version,
    createdAt: user.createdAt.toISOString(),
  };
}

/**
 * The per-request authorization state in Redis (shared by every replica), and this process's copy
 * of it, which Redis invalidates (DESIGN.md, Processes): a request costs no round trip once its
 * user has been read. Whoever changes a user in a transaction registers the new state with
 * `publishOnCommit`; it is written once the transaction commits, and that write makes Redis tell
 * every replica to drop its copy. Entries expire after a minute, which also bounds how long a crash
 * (or a Redis failure) between a commit and the publish could leave a stale entry.
 */
@Injectable()
export class PrincipalCache {
  static readonly TTL_SECONDS = 60;
  private readonly cache: VersionedCache<UserSnapshot>;
  private readonly copy: InvalidatedCopy<UserSnapshot | null>;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly users: UsersRepository,
    link: InvalidationLink,
  ) {
    this.cache = new VersionedCache(redis, PrincipalCache.TTL_SECONDS);
    this.copy = link.copy({
      keyPrefix: USER_KEY_PREFIX,
      maxEntries: 10_000,
      ttlMs: PrincipalCache.TTL_SECONDS * 1000,
    });
  }

  /** The user's current state: this process's copy, else Redis, else MySQL (stored in Redis). */
  async get(userId: string): Promise<UserSnapshot | null> {
    const key = userKey(userId);
    const cached = await this.copy.read(key, async () =>
      VersionedCache.parse<UserSnapshot>(await this.redis.get(key)),
    );
    return cached ?? this.load(userId);
  }

  /**
   * Every replica checks the next request against `user` as committed by `tx` (the latest state
   * registered for a user in one transaction wins).
   */
  publishOnCommit(tx: TransactionContext, user: User): void {
    tx.afterCommit(() => this.publish(user), `principal:${user.id}`);
  }

  private async publish(user: User): Promise<UserSnapshot> {
    const snapshot = snapshotOf(user);
    try {
      await this.store(snapshot);
    } catch (error) {
      // Whatever happens, do not leave the old state behind: without an entry the next request
      // reads the committed row from MySQL.
      await this.redis.del(userKey(snapshot.id)).catch(() => undefined);
      throw error;
    }
    return snapshot;
  }

  private async load(userId: string): Promise<UserSnapshot | null> {
    const user = await this.users.findById(userId);
    if (!user) return null;
    const snapshot = snapshotOf(user);
    await this.store(snapshot);
    return snapshot;
  }

  private async store(snapshot: UserSnapshot): Promise<void> {
    await this.cache.store(userKey(snapshot.id), snapshot.version, snapshot);
  }
}

const USER_KEY_PREFIX = 'auth:user:';
const userKey = (userId: string) => `${USER_KEY_PREFIX}${userId}`;
