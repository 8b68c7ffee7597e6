import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiKey } from './entities/api-key.entity';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    key: Omit<ApiKey, 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'version'>,
  ): Promise<ApiKey> {
    await manager.insert(ApiKey, key);
    return manager.findOneByOrFail(ApiKey, { id: key.id });
  }

  findByHash(keyHash: string): Promise<ApiKey | null> {
    return this.dataSource.manager.findOneBy(ApiKey, { keyHash });
  }

  /** Revokes a live key; returns the row as written, or null when there was no live key. */
  async revoke(manager: EntityManager, id: string): Promise<ApiKey | null> {
    const result = await manager
      .createQueryBuilder()
      .update(ApiKey)
      .set({ revokedAt: () => 'CURRENT_TIMESTAMP(3)', version: () => 'version + 1' })
      .where({ id, revokedAt: IsNull() })
      .execute();
    return (result.affected ?? 0) === 1 ? manager.findOneBy(ApiKey, { id }) : null;
  }

  async touch(id: string): Promise<void> {
    await this.dataSource.manager.update(ApiKey, { id }, { lastUsedAt: new Date() });
  }

  list(beforeId: string | undefined, limit: number): Promise<ApiKey[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(ApiKey, 'key')
      .orderBy('key.id', 'DESC')
      .limit(limit);
    if (beforeId) query.where('key.id < :beforeId', { beforeId });
    return query.getMany();
  }
}
