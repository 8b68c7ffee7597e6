import { RequestActor } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import {
  type CreateShippingMethodDto,
  type ShippingMethodDto,
  toShippingMethodDto,
  type UpdateShippingMethodDto,
} from './dto/shipping-method.dto';
import { ShippingMethodNotFoundError, ShippingZoneNotFoundError, StaleVersionError } from './shipping.errors';
import { ShippingMethodsRepository } from './shipping-methods.repository';
import { ShippingZonesRepository } from './shipping-zones.repository';
import { AuditService } from '../audit';

/** Staff writes to a zone's shipping methods, audited. Methods are deactivated, never deleted. */
@Injectable()
export class AdminShippingMethodsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly zones: ShippingZonesRepository,
    private readonly methods: ShippingMethodsRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  create(actor: RequestActor, zoneId: string, dto: CreateShippingMethodDto): Promise<ShippingMethodDto> {
    return this.transactions.run(async (manager) => {
      // Locked so a concurrent delete of the zone cannot leave the method without one.
      const zone = await this.zones.lockById(manager, zoneId);
      if (!zone) throw new ShippingZoneNotFoundError(zoneId);
      const method = await this.methods.insert(manager, zoneId, {
        name: dto.name,
        rate: dto.rate,
        freeOver: dto.freeOver ?? null,
        active: dto.active ?? true,
        position: dto.position ?? 0,
      });
      await this.audit.record(manager, actor, {
        action: 'shipping-method.created',
        target: { type: 'shipping-method', id: method.id },
        details: { zoneId, name: method.name, rate: method.rate, freeOver: method.freeOver },
      });
      return toShippingMethodDto(method, this.config.catalog.currency);
    });
  }

  update(actor: RequestActor, id: string, dto: UpdateShippingMethodDto): Promise<ShippingMethodDto> {
    const { version, ...changes } = dto;
    return this.transactions.run(async (manager) => {
      const method = await this.methods.lockById(manager, id);
      if (!method) throw new ShippingMethodNotFoundError(id);
      if (method.version !== version)
        throw new StaleVersionError('shipping method', version, method.version, false);
      await this.methods.update(manager, id, changes);
      await this.audit.record(manager, actor, {
        action: 'shipping-method.updated',
        target: { type: 'shipping-method', id },
        details: { changes, fromVersion: method.version },
      });
      return toShippingMethodDto((await this.methods.findById(manager, id))!, this.config.catalog.currency);
    });
  }

  /** Stops offering the method; it stays, so carts and orders that name it still resolve its name. */
  async deactivate(actor: RequestActor, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const method = await this.methods.lockById(manager, id);
      if (!method) throw new ShippingMethodNotFoundError(id);
      if (!method.active) return; // already off: nothing changes, nothing to audit
      await this.methods.update(manager, id, { active: false });
      await this.audit.record(manager, actor, {
        action: 'shipping-method.deactivated',
        target: { type: 'shipping-method', id },
        details: { zoneId: method.zoneId, fromVersion: method.version },
      });
    });
  }
}
