import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { TaxRate } from './entities/tax-rate.entity';

@Injectable()
export class TaxRatesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    rate: Pick<TaxRate, 'country' | 'region' | 'name' | 'rateBp'>,
  ): Promise<TaxRate> {
    const id = uuidv7();
    await manager.insert(TaxRate, { id, ...rate });
    return manager.findOneByOrFail(TaxRate, { id });
  }

  findById(manager: EntityManager, id: string): Promise<TaxRate | null> {
    return manager.findOneBy(TaxRate, { id });
  }

  /** Outside any transaction (staff reads). */
  find(id: string): Promise<TaxRate | null> {
    return this.dataSource.manager.findOneBy(TaxRate, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<TaxRate | null> {
    return manager.findOne(TaxRate, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The rate for exactly this place, locked (a gap lock when absent, so a concurrent create waits). */
  lockByPlace(manager: EntityManager, country: string, region: string): Promise<TaxRate | null> {
    return manager.findOne(TaxRate, { where: { country, region }, lock: { mode: 'pessimistic_write' } });
  }

  /** The region's rate when there is one, else the country-wide one: one indexed read. */
  mostSpecific(manager: EntityManager, country: string, region: string): Promise<TaxRate | null> {
    return (
      manager
        .createQueryBuilder(TaxRate, 't')
        .where('t.country = :country', { country })
        .andWhere("t.region IN (:region, '')", { region })
        // At most two rows match: the region's sorts before the country-wide ''.
        .orderBy('t.region', 'DESC')
        .limit(1)
        .getOne()
    );
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<TaxRate, 'name' | 'rateBp'>>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(TaxRate)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(TaxRate, { id });
  }

  list(country?: string, manager: EntityManager = this.dataSource.manager): Promise<TaxRate[]> {
    return manager.find(TaxRate, {
      where: country ? { country } : {},
      order: { country: 'ASC', region: 'ASC' },
    });
  }
}
