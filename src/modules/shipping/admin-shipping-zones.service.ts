import { RequestActor } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { toShippingMethodDto } from './dto/shipping-method.dto';
import {
  type CreateShippingZoneDto,
  type ShippingZoneDetailDto,
  type ShippingZoneDto,
  type ShippingZoneListDto,
  toShippingZoneDto,
  type UpdateShippingZoneDto,
} from './dto/shipping-zone.dto';
import { CountryInAnotherZoneError, ShippingZoneNotFoundError, StaleVersionError } from './shipping.errors';
import { ShippingMethodsRepository } from './shipping-methods.repository';
import { ShippingZonesRepository } from './shipping-zones.repository';

/** Sorted and without repeats ('de' and 'DE' arrive as 'DE' twice from the DTO). */
const distinctCountries = (countries: string[]): string[] => [...new Set(countries)].sort();

/** Staff writes to shipping zones, audited; a country belongs to one zone at most. */
@Injectable()
export class AdminShippingZonesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly zones: ShippingZonesRepository,
    private readonly methods: ShippingMethodsRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async list(): Promise<ShippingZoneListDto> {
    return this.transactions.run(async (manager) => {
      const zones = await this.zones.all(manager);
      const countries = await this.zones.countriesOf(
        manager,
        zones.map((zone) => zone.id),
      );
      return { data: zones.map((zone) => toShippingZoneDto(zone, countries.get(zone.id) ?? [])) };
    });
  }

  get(id: string): Promise<ShippingZoneDetailDto> {
    return this.transactions.run((manager) => this.load(manager, id));
  }

  create(actor: RequestActor, dto: CreateShippingZoneDto): Promise<ShippingZoneDetailDto> {
    const countries = distinctCountries(dto.countries);
    return this.transactions.run(async (manager) => {
      const taken = await this.zones.claimedElsewhere(manager, countries);
      if (taken.length > 0) throw new CountryInAnotherZoneError(taken);
      const zone = await this.zones.insert(manager, { name: dto.name, active: dto.active ?? true });
      await this.zones.replaceCountries(manager, zone.id, countries);
      await this.audit.record(manager, actor, {
        action: 'shipping-zone.created',
        target: { type: 'shipping-zone', id: zone.id },
        details: { name: zone.name, countries, active: zone.active },
      });
      return this.load(manager, zone.id);
    });
  }

  update(actor: RequestActor, id: string, dto: UpdateShippingZoneDto): Promise<ShippingZoneDetailDto> {
    const { version, countries: requested, ...fields } = dto;
    return this.transactions.run(async (manager) => {
      const zone = await this.zones.lockById(manager, id);
      if (!zone) throw new ShippingZoneNotFoundError(id);
      if (zone.version !== version)
        throw new StaleVersionError('shipping zone', version, zone.version, false);
      const details: Record<string, unknown> = {
        fields: Object.keys(dto).filter((key) => key !== 'version'),
      };
      if (requested !== undefined) {
        const countries = distinctCountries(requested);
        const taken = await this.zones.claimedElsewhere(manager, countries, id);
        if (taken.length > 0) throw new CountryInAnotherZoneError(taken);
        const before = (await this.zones.countriesOf(manager, [id])).get(id) ?? [];
        await this.zones.replaceCountries(manager, id, countries);
        details.countriesAdded = countries.filter((country) => !before.includes(country));
        details.countriesRemoved = before.filter((country) => !countries.includes(country));
      }
      // The version moves on every change, countries included: it stands for the whole zone.
      await this.zones.update(manager, id, fields);
      await this.audit.record(manager, actor, {
        action: 'shipping-zone.updated',
        target: { type: 'shipping-zone', id },
        details: { ...details, fromVersion: zone.version },
      });
      return this.load(manager, id);
    });
  }

  /** Deletes the zone, its countries and its methods (carts naming one of them must choose again). */
  async remove(actor: RequestActor, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const zone = await this.zones.lockById(manager, id);
      if (!zone) throw new ShippingZoneNotFoundError(id);
      const countries = (await this.zones.countriesOf(manager, [id])).get(id) ?? [];
      const methodIds = await this.zones.delete(manager, id);
      await this.audit.record(manager, actor, {
        action: 'shipping-zone.deleted',
        target: { type: 'shipping-zone', id },
        details: { name: zone.name, countries, methodIds },
      });
    });
  }

  private async load(manager: EntityManager, id: string): Promise<ShippingZoneDetailDto> {
    const zone = await this.zones.findById(manager, id);
    if (!zone) throw new ShippingZoneNotFoundError(id);
    const countries = (await this.zones.countriesOf(manager, [id])).get(id) ?? [];
    const methods = await this.methods.inZones(manager, [id]);
    const currency = this.config.catalog.currency;
    const base: ShippingZoneDto = toShippingZoneDto(zone, countries);
    return { ...base, methods: methods.map((method) => toShippingMethodDto(method, currency)) };
  }
}
