import { RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit';
import {
  type CreateTaxRateDto,
  type ListTaxRatesQueryDto,
  type TaxRateDto,
  type TaxRateListDto,
  toTaxRateDto,
  type UpdateTaxRateDto,
} from './dto/tax-rate.dto';
import { TaxRatesRepository } from './tax-rates.repository';
import { StaleVersionError, TaxRateExistsError, TaxRateNotFoundError } from './taxes.errors';

/** Staff writes to tax rates, audited. One rate per country, and one per subdivision. */
@Injectable()
export class AdminTaxRatesService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly rates: TaxRatesRepository,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListTaxRatesQueryDto): Promise<TaxRateListDto> {
    return { data: (await this.rates.list(query.country)).map(toTaxRateDto) };
  }

  async get(id: string): Promise<TaxRateDto> {
    const rate = await this.rates.find(id);
    if (!rate) throw new TaxRateNotFoundError(id);
    return toTaxRateDto(rate);
  }

  create(actor: RequestActor, dto: CreateTaxRateDto): Promise<TaxRateDto> {
    return this.transactions.run(async (manager) => {
      const existing = await this.rates.lockByPlace(manager, dto.country, dto.region);
      if (existing) throw new TaxRateExistsError(dto.country, dto.region, existing.id);
      const rate = await this.rates.insert(manager, {
        country: dto.country,
        region: dto.region,
        name: dto.name,
        rateBp: dto.rateBp,
      });
      await this.audit.record(manager, actor, {
        action: 'tax-rate.created',
        target: { type: 'tax-rate', id: rate.id },
        details: { country: rate.country, region: rate.region || null, name: rate.name, rateBp: rate.rateBp },
      });
      return toTaxRateDto(rate);
    });
  }

  update(actor: RequestActor, id: string, dto: UpdateTaxRateDto): Promise<TaxRateDto> {
    const { version, ...changes } = dto;
    return this.transactions.run(async (manager) => {
      const rate = await this.rates.lockById(manager, id);
      if (!rate) throw new TaxRateNotFoundError(id);
      if (rate.version !== version) throw new StaleVersionError('tax rate', version, rate.version, false);
      await this.rates.update(manager, id, changes);
      await this.audit.record(manager, actor, {
        action: 'tax-rate.updated',
        target: { type: 'tax-rate', id },
        details: { changes, fromRateBp: rate.rateBp, fromVersion: rate.version },
      });
      return toTaxRateDto((await this.rates.findById(manager, id))!);
    });
  }

  async remove(actor: RequestActor, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const rate = await this.rates.lockById(manager, id);
      if (!rate) throw new TaxRateNotFoundError(id);
      await this.rates.delete(manager, id);
      await this.audit.record(manager, actor, {
        action: 'tax-rate.deleted',
        target: { type: 'tax-rate', id },
        details: { country: rate.country, region: rate.region || null, name: rate.name, rateBp: rate.rateBp },
      });
    });
  }
}
