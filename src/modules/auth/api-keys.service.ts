import {
  ApiKeyPrincipal,
  decodeCursor,
  hashToken,
  type InvalidatedCopy,
  InvalidationLink,
  NotFoundError,
  Page,
  type Permission,
  RequestActor,
  REDIS_CLIENT,
  ROLE_PERMISSIONS,
  randomToken,
  toPage,
  VersionedCache,
} from '@app/common';
import { TransactionRunner } from '@app/database';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AuditService } from '../audit';
import { PrincipalCache } from '../users';
import { PeopleOnlyError, ScopeNotGrantableError } from './auth.errors';
import { ApiKeysRepository } from './api-keys.repository';
import {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  toApiKeyResponse,
} from './dto/api-key.dto';
import type { ApiKey } from './entities/api-key.entity';

export const API_KEY_PREFIX = 'sk_';
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * What a request needs to know about a key; cached in Redis by the key's hash, and copied in this
 * process until Redis reports the entry changed (a revocation stores a newer version).
 */
interface CachedApiKey {
  id: string;
  createdBy: string | null;
  scopes: Permission[];
  expiresAt: string | null;
  revoked: boolean;
  version: number;
}

const cachedFrom = (key: ApiKey): CachedApiKey => ({
  id: key.id,
  createdBy: key.createdBy,
  scopes: key.scopes,
  expiresAt: key.expiresAt ? key.expiresAt.toISOString() : null,
  revoked: key.revokedAt !== null,
  version: key.version,
});

/** API keys for servers: created by an admin with scopes, shown once, stored hashed, revocable. */
@Injectable()
export class ApiKeysService {
  static readonly CACHE_TTL_SECONDS = 60;
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly cache: VersionedCache<CachedApiKey>;
  private readonly copy: InvalidatedCopy<CachedApiKey | null>;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
    private readonly principals: PrincipalCache,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    link: InvalidationLink,
  ) {
    this.cache = new VersionedCache(redis, ApiKeysService.CACHE_TTL_SECONDS);
    this.copy = link.copy({
      keyPrefix: CACHE_KEY_PREFIX,
      maxEntries: 1_000,
      ttlMs: ApiKeysService.CACHE_TTL_SECONDS * 1000,
    });
  }

  /**
   * Only a person creates keys (a key minting keys would outlive its own revocation), and nobody
   * can grant a scope they do not hold themselves.
   */
  async create(actor: RequestActor, body: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    const { principal } = actor;
    if (principal.kind !== 'user') throw new PeopleOnlyError('API keys are created by a signed-in person.');
    const missing = body.scopes.filter((scope) => !actor.principal.permissions.has(scope));
    if (missing.length > 0) throw new ScopeNotGrantableError(`You do not hold: ${missing.join(', ')}.`);
    const visible = `${API_KEY_PREFIX}${Array.from(randomBytes(8), (byte) => PREFIX_ALPHABET[byte % 36]).join('')}`;
    const key = `${visible}_${randomToken(32)}`;
    const created = await this.transactions.run(async (manager) => {
      const row = await this.keys.insert(manager, {
        id: uuidv7(),
        name: body.name,
        prefix: visible,
        keyHash: hashToken(key),
        scopes: body.scopes,
        createdBy: principal.userId,
        expiresAt: body.expiresAt ?? null,
      });
      await this.audit.record(manager, actor, {
        action: 'api-key.created',
        target: { type: 'api-key', id: row.id },
        details: { name: row.name, prefix: row.prefix, scopes: row.scopes },
      });
      return row;
    });
    return { ...toApiKeyResponse(created), key };
  }

  async list(cursor: string | undefined, limit: number): Promise<Page<ApiKeyResponseDto>> {
    const beforeId = cursor ? decodeCursor(cursor, ['id']).id : undefined;
    const rows = await this.keys.list(beforeId, limit + 1);
    return toPage(rows, limit, toApiKeyResponse, (key) => ({ id: key.id }));
  }

  /** Effective at once on every replica: the revoked state is published with a newer version. */
  async revoke(actor: RequestActor, id: string): Promise<ApiKeyResponseDto> {
    const revoked = await this.transactions.run(async (manager) => {
      const row = await this.keys.revoke(manager, id);
      if (!row) throw new NotFoundError('No live API key with this id.');
      await this.audit.record(manager, actor, {
        action: 'api-key.revoked',
        target: { type: 'api-key', id },
        details: { name: row.name, prefix: row.prefix },
      });
      manager.afterCommit(() => this.cache.store(cacheKey(row.keyHash), row.version, cachedFrom(row)));
      return row;
    });
    return toApiKeyResponse(revoked);
  }

  /** The principal for a presented key, or null when it is unknown, revoked or expired. */
  async authenticate(presented: string): Promise<ApiKeyPrincipal | null> {
    if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return null;
    const keyHash = hashToken(presented);
    let key = await this.copy.read(cacheKey(keyHash), async () =>
      VersionedCache.parse<CachedApiKey>(await this.redis.get(cacheKey(keyHash))),
    );
    if (!key) {
      const row = await this.keys.findByHash(keyHash);
      if (!row) return null;
      key = cachedFrom(row);
      await this.cache.store(cacheKey(keyHash), key.version, key);
    }
    if (key.revoked || (key.expiresAt && Date.parse(key.expiresAt) <= Date.now())) return null;
    // A key acts on its creator's authority: it stops when they are disabled, removed or no
    // longer hold every scope it carries (a demotion), at once, like their own sessions.
    const creator = key.createdBy ? await this.principals.get(key.createdBy) : null;
    const creatorPermissions: readonly Permission[] = creator ? ROLE_PERMISSIONS[creator.role] : [];
    if (creator?.status !== 'active' || !key.scopes.every((scope) => creatorPermissions.includes(scope))) {
      return null;
    }
    this.noteUse(key.id);
    return { kind: 'api-key', apiKeyId: key.id, permissions: new Set(key.scopes) };
  }

  /** last_used_at is written at most once a minute per key, off the request's path. */
  private noteUse(id: string): void {
    this.redis
      .set(`auth:api-key-used:${id}`, '1', 'EX', LAST_USED_RESOLUTION_SECONDS, 'NX')
      .then((set) => (set ? this.keys.touch(id) : undefined))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Could not record API key use'));
  }
}

const CACHE_KEY_PREFIX = 'auth:api-key:';
const cacheKey = (keyHash: string) => `${CACHE_KEY_PREFIX}${keyHash}`;
