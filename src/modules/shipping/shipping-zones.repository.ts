import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ShippingMethod } from './entities/shipping-method.entity';
import { ShippingZoneCountry } from './entities/shipping-zone-country.entity';
import { ShippingZone } from './entities/shipping-zone.entity';

/** The zones' SQL: a zone, its countries, and (on delete) its methods. */
@Injectable()
export class ShippingZonesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, zone: Pick<ShippingZone, 'name' | 'active'>): Promise<ShippingZone> {
    const id = uuidv7();
    await manager.insert(ShippingZone, { id, ...zone });
    return manager.findOneByOrFail(ShippingZone, { id });
  }

  findById(manager: EntityManager, id: string): Promise<ShippingZone | null> {
    return manager.findOneBy(ShippingZone, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<ShippingZone | null> {
    return manager.findOne(ShippingZone, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  all(manager: EntityManager = this.dataSource.manager): Promise<ShippingZone[]> {
    return manager.find(ShippingZone, { order: { name: 'ASC', id: 'ASC' } });
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<ShippingZone, 'name' | 'active'>>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(ShippingZone)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /**
   * Which of `countries` already belong to a zone other than `exceptZoneId`. Locks the index
   * entries read, so a concurrent write claiming the same country waits for this transaction.
   */
  async claimedElsewhere(
    manager: EntityManager,
    countries: string[],
    exceptZoneId?: string,
  ): Promise<Array<{ country: string; zoneId: string; zoneName: string }>> {
    if (countries.length === 0) return [];
    const query = manager
      .createQueryBuilder(ShippingZoneCountry, 'c')
      .innerJoin(ShippingZone, 'z', 'z.id = c.zone_id')
      .select(['c.country_code AS country', 'c.zone_id AS zoneId', 'z.name AS zoneName'])
      .where('c.country_code IN (:...countries)', { countries })
      .orderBy('c.country_code', 'ASC')
      .setLock('pessimistic_write');
    if (exceptZoneId) query.andWhere('c.zone_id <> :exceptZoneId', { exceptZoneId });
    return query.getRawMany<{ country: string; zoneId: string; zoneName: string }>();
  }

  /** Makes `countries` the zone's whole set. */
  async replaceCountries(manager: EntityManager, zoneId: string, countries: string[]): Promise<void> {
    await manager.delete(ShippingZoneCountry, { zoneId });
    if (countries.length > 0)
      await manager.insert(
        ShippingZoneCountry,
        countries.map((countryCode) => ({ zoneId, countryCode })),
      );
  }

  /** Each zone's countries, sorted. */
  async countriesOf(manager: EntityManager, zoneIds: string[]): Promise<Map<string, string[]>> {
    const byZone = new Map<string, string[]>(zoneIds.map((id) => [id, []]));
    if (zoneIds.length === 0) return byZone;
    const rows = await manager.find(ShippingZoneCountry, {
      where: { zoneId: In(zoneIds) },
      order: { countryCode: 'ASC' },
    });
    for (const row of rows) byZone.get(row.zoneId)?.push(row.countryCode);
    return byZone;
  }

  /** Deletes the zone with its countries and methods; returns the ids of the methods removed. */
  async delete(manager: EntityManager, id: string): Promise<string[]> {
    const methods = await manager.find(ShippingMethod, { select: { id: true }, where: { zoneId: id } });
    await manager.delete(ShippingMethod, { zoneId: id });
    await manager.delete(ShippingZoneCountry, { zoneId: id });
    await manager.delete(ShippingZone, { id });
    return methods.map((method) => method.id);
  }
}
