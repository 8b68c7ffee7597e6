import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { StockLocation } from './entities/stock-location.entity';

@Injectable()
export class LocationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    location: Pick<StockLocation, 'code' | 'name' | 'priority'>,
  ): Promise<StockLocation> {
    const id = uuidv7();
    await manager.insert(StockLocation, { id, ...location });
    return manager.findOneByOrFail(StockLocation, { id });
  }

  codeExists(manager: EntityManager, code: string): Promise<boolean> {
    return manager.existsBy(StockLocation, { code });
  }

  findById(manager: EntityManager, id: string): Promise<StockLocation | null> {
    return manager.findOneBy(StockLocation, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<StockLocation | null> {
    return manager.findOne(StockLocation, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<StockLocation, 'name' | 'priority' | 'active'>>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(StockLocation)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  all(): Promise<StockLocation[]> {
    return this.dataSource.manager.find(StockLocation, { order: { priority: 'ASC', code: 'ASC' } });
  }
}
