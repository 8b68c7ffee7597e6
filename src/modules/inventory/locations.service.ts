import { RequestActor, StaleVersionError } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit';
import type { CreateLocationDto, LocationDto, LocationListDto, UpdateLocationDto } from './dto/inventory.dto';
import type { StockLocation } from './entities/stock-location.entity';
import { LocationCodeTakenError, LocationNotFoundError } from './inventory.errors';
import { LocationsRepository } from './locations.repository';
import { STOREFRONT_AVAILABILITY, type StorefrontAvailability } from './storefront-availability.port';

const toLocation = (location: StockLocation): LocationDto => ({
  id: location.id,
  code: location.code,
  name: location.name,
  priority: location.priority,
  active: location.active,
  version: location.version,
});

@Injectable()
export class LocationsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly locations: LocationsRepository,
    private readonly audit: AuditService,
    @Inject(STOREFRONT_AVAILABILITY) private readonly storefront: StorefrontAvailability,
  ) {}

  async list(): Promise<LocationListDto> {
    return { data: (await this.locations.all()).map(toLocation) };
  }

  create(actor: RequestActor, dto: CreateLocationDto): Promise<LocationDto> {
    return this.transactions.run(async (manager) => {
      if (await this.locations.codeExists(manager, dto.code)) throw new LocationCodeTakenError(dto.code);
      const location = await this.locations.insert(manager, {
        code: dto.code,
        name: dto.name,
        priority: dto.priority ?? 0,
      });
      await this.audit.record(manager, actor, {
        action: 'location.created',
        target: { type: 'location', id: location.id },
        details: { code: dto.code },
      });
      return toLocation(location);
    });
  }

  async update(actor: RequestActor, id: string, dto: UpdateLocationDto): Promise<LocationDto> {
    const { version, ...changes } = dto;
    const location = await this.transactions.run(async (manager) => {
      const current = await this.locations.lockById(manager, id);
      if (!current) throw new LocationNotFoundError(id);
      if (current.version !== version)
        throw new StaleVersionError('location', version, current.version, false);
      await this.locations.update(manager, id, changes);
      const activeChanged = changes.active !== undefined && changes.active !== current.active;
      // Activating or deactivating a location changes what the storefront can sell.
      if (activeChanged) {
        await this.storefront.locationChanged(manager, id);
      }
      await this.audit.record(manager, actor, {
        action: 'location.updated',
        target: { type: 'location', id },
        details: { fields: Object.keys(changes), fromVersion: current.version },
      });
      return (await this.locations.findById(manager, id))!;
    });
    return toLocation(location);
  }
}
