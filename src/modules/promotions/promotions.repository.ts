import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { v7 as uuidv7 } from 'uuid';
import { Promotion } from './entities/promotion.entity';
import { isDuplicateKey } from './redemptions.repository';

/** The terms staff set; usage counters and versions are the database's and the redemptions' business. */
export type PromotionFields = Pick<
  Promotion,
  | 'code'
  | 'description'
  | 'kind'
  | 'percentBp'
  | 'amount'
  | 'minSubtotal'
  | 'startsAt'
  | 'endsAt'
  | 'usageLimit'
  | 'perCustomerLimit'
  | 'active'
>;

export interface PromotionListFilter {
  codePrefix?: string;
  active?: boolean;
  beforeId?: string;
  limit: number;
}

/** Staff-side SQL of promotions (the redemption SQL is RedemptionsRepository's). */
@Injectable()
export class PromotionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Inserts and returns the id; null when the code is taken (a concurrent create included). */
  async insert(manager: EntityManager, fields: PromotionFields): Promise<string | null> {
    const id = uuidv7();
    try {
      await manager.insert(Promotion, { id, ...fields });
      return id;
    } catch (error) {
      if (isDuplicateKey(error)) return null;
      throw error;
    }
  }

  findById(manager: EntityManager, id: string): Promise<Promotion | null> {
    return manager.findOneBy(Promotion, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<Promotion | null> {
    return manager.findOne(Promotion, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  codeExists(manager: EntityManager, code: string, exceptId?: string): Promise<boolean> {
    const query = manager.createQueryBuilder(Promotion, 'p').where('p.code = :code', { code });
    if (exceptId) query.andWhere('p.id <> :exceptId', { exceptId });
    return query.getExists();
  }

  /** Applies staff changes and raises the version; false when the new code is taken. */
  async update(manager: EntityManager, id: string, changes: Partial<PromotionFields>): Promise<boolean> {
    try {
      await manager
        .createQueryBuilder()
        .update(Promotion)
        .set({ ...(changes as QueryDeepPartialEntity<Promotion>), version: () => 'version + 1' })
        .where('id = :id', { id })
        .execute();
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Newest first; `codePrefix` is upper-case [A-Z0-9_-] (validated), so only `_` needs escaping. */
  list(filter: PromotionListFilter): Promise<Promotion[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(Promotion, 'p')
      .orderBy('p.id', 'DESC')
      .limit(filter.limit);
    if (filter.codePrefix)
      query.andWhere('p.code LIKE :prefix', { prefix: `${filter.codePrefix.replace(/_/g, '\\_')}%` });
    if (filter.active !== undefined) query.andWhere('p.active = :active', { active: filter.active });
    if (filter.beforeId) query.andWhere('p.id < :beforeId', { beforeId: filter.beforeId });
    return query.getMany();
  }
}
