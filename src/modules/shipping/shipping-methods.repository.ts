import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ShippingMethod } from './entities/shipping-method.entity';
import { ShippingZoneCountry } from './entities/shipping-zone-country.entity';
import { ShippingZone } from './entities/shipping-zone.entity';

type MethodFields = Pick<ShippingMethod, 'name' | 'rate' | 'freeOver' | 'active' | 'position'>;

/** The methods' SQL, including the destination look-ups carts price with. */
@Injectable()
export class ShippingMethodsRepository {
  async insert(manager: EntityManager, zoneId: string, method: MethodFields): Promise<ShippingMethod> {
    const id = uuidv7();
    await manager.insert(ShippingMethod, { id, zoneId, ...method });
    return manager.findOneByOrFail(ShippingMethod, { id });
  }

  findById(manager: EntityManager, id: string): Promise<ShippingMethod | null> {
    return manager.findOneBy(ShippingMethod, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<ShippingMethod | null> {
    return manager.findOne(ShippingMethod, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(manager: EntityManager, id: string, changes: Partial<MethodFields>): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(ShippingMethod)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /** Every method of the zones, inactive ones too, by position (then creation: ids are UUIDv7). */
  inZones(manager: EntityManager, zoneIds: string[]): Promise<ShippingMethod[]> {
    if (zoneIds.length === 0) return Promise.resolve([]);
    return manager.find(ShippingMethod, {
      where: { zoneId: In(zoneIds) },
      order: { position: 'ASC', id: 'ASC' },
    });
  }

  /** The active methods of the active zone that contains `country`, by position. One query. */
  offeredTo(manager: EntityManager, country: string): Promise<ShippingMethod[]> {
    return manager
      .createQueryBuilder(ShippingMethod, 'm')
      .innerJoin(ShippingZone, 'z', 'z.id = m.zone_id AND z.active = 1')
      .innerJoin(ShippingZoneCountry, 'c', 'c.zone_id = z.id AND c.country_code = :country', { country })
      .where('m.active = 1')
      .orderBy('m.position', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getMany();
  }

  /** The method if it is offered at all (active, in an active zone), with its zone's countries. */
  async findOffered(
    manager: EntityManager,
    id: string,
  ): Promise<{ method: ShippingMethod; countries: string[] } | null> {
    const method = await manager
      .createQueryBuilder(ShippingMethod, 'm')
      .innerJoin(ShippingZone, 'z', 'z.id = m.zone_id AND z.active = 1')
      .where('m.id = :id AND m.active = 1', { id })
      .getOne();
    if (!method) return null;
    const countries = await manager.find(ShippingZoneCountry, {
      where: { zoneId: method.zoneId },
      order: { countryCode: 'ASC' },
    });
    return { method, countries: countries.map((row) => row.countryCode) };
  }
}
