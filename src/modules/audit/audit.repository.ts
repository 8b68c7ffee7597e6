import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEntry } from './entities/audit-entry.entity';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'occurredAt'>;

export interface AuditListFilter {
  actorId?: string;
  targetType?: string;
  targetId?: string;
  action?: string;
  beforeId?: string;
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, entry: NewAuditEntry): Promise<void> {
    await manager.insert(AuditEntry, entry as QueryDeepPartialEntity<AuditEntry>);
  }

  list(filter: AuditListFilter): Promise<AuditEntry[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(AuditEntry, 'entry')
      .orderBy('entry.id', 'DESC')
      .limit(filter.limit);
    if (filter.actorId) query.andWhere('entry.actorId = :actorId', { actorId: filter.actorId });
    if (filter.targetType)
      query.andWhere('entry.targetType = :targetType', { targetType: filter.targetType });
    if (filter.targetId) query.andWhere('entry.targetId = :targetId', { targetId: filter.targetId });
    if (filter.action) query.andWhere('entry.action = :action', { action: filter.action });
    if (filter.beforeId) query.andWhere('entry.id < :beforeId', { beforeId: filter.beforeId });
    return query.getMany();
  }
}
