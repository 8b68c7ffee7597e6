import { decodeCursor, type Page, RequestActor, RequestValidationError, toPage } from '@app/common';
import { AppConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import type { CreatePromotionDto, ListPromotionsQueryDto, UpdatePromotionDto } from './dto/promotion.dto';
import { PromotionDto, toPromotionResponse } from './dto/promotion.response.dto';
import type { Promotion } from './entities/promotion.entity';
import { termErrors } from './promotion-terms';
import {
  PromotionCodeTakenError,
  PromotionNotFoundError,
  StaleVersionError,
  UsageLimitBelowUsesError,
} from './promotions.errors';
import { type PromotionFields, PromotionsRepository } from './promotions.repository';

const toDate = (value: string | null | undefined): Date | null | undefined =>
  value === undefined || value === null ? value : new Date(value);

/** Fields a PATCH may change, in the order they are applied. */
const EDITABLE = [
  'code',
  'description',
  'kind',
  'percentBp',
  'amount',
  'minSubtotal',
  'startsAt',
  'endsAt',
  'usageLimit',
  'perCustomerLimit',
  'active',
] as const satisfies ReadonlyArray<keyof PromotionFields>;

/** Staff writes to promotions — create, change (optimistic concurrency), deactivate — each audited. */
@Injectable()
export class AdminPromotionsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly promotions: PromotionsRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async list(query: ListPromotionsQueryDto): Promise<Page<PromotionDto>> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, ['id']).id : undefined;
    const rows = await this.promotions.list({
      codePrefix: query.code?.toUpperCase(),
      active: query.active,
      beforeId,
      limit: query.limit + 1,
    });
    return toPage(
      rows,
      query.limit,
      (row) => this.toResponse(row),
      (row) => ({ id: row.id }),
    );
  }

  async get(id: string): Promise<PromotionDto> {
    const promotion = await this.promotions.findById(this.promotions.manager, id);
    if (!promotion) throw new PromotionNotFoundError(id);
    return this.toResponse(promotion);
  }

  async create(actor: RequestActor, dto: CreatePromotionDto): Promise<PromotionDto> {
    const fields: PromotionFields = {
      code: dto.code,
      description: dto.description ?? null,
      kind: dto.kind,
      percentBp: dto.percentBp ?? null,
      amount: dto.amount ?? null,
      minSubtotal: dto.minSubtotal ?? null,
      startsAt: toDate(dto.startsAt) ?? null,
      endsAt: toDate(dto.endsAt) ?? null,
      usageLimit: dto.usageLimit ?? null,
      perCustomerLimit: dto.perCustomerLimit ?? null,
      active: dto.active ?? true,
    };
    const errors = termErrors(fields);
    if (errors.length > 0) throw new RequestValidationError(errors);
    return this.transactions.run(async (manager) => {
      if (await this.promotions.codeExists(manager, fields.code))
        throw new PromotionCodeTakenError(fields.code);
      const id = await this.promotions.insert(manager, fields);
      if (!id) throw new PromotionCodeTakenError(fields.code);
      await this.audit.record(manager, actor, {
        action: 'promotion.created',
        target: { type: 'promotion', id },
        details: { code: fields.code, kind: fields.kind },
      });
      return this.load(manager, id);
    });
  }

  async update(
    actor: RequestActor,
    id: string,
    dto: UpdatePromotionDto,
    ifMatchVersion: number | undefined,
  ): Promise<PromotionDto> {
    const { version } = dto;
    if (version === undefined && ifMatchVersion === undefined)
      throw new RequestValidationError([
        { field: 'version', messages: ['version is required (in the body or as If-Match)'] },
      ]);
    return this.transactions.run(async (manager) => {
      const current = await this.promotions.lockById(manager, id);
      if (!current) throw new PromotionNotFoundError(id);
      if (ifMatchVersion !== undefined && ifMatchVersion !== current.version)
        throw new StaleVersionError('promotion', ifMatchVersion, current.version, true);
      if (version !== undefined && version !== current.version)
        throw new StaleVersionError('promotion', version, current.version, false);

      const changes = this.changesOf(dto, current);
      const merged: PromotionFields = { ...current, ...changes };
      const errors = termErrors(merged);
      if (errors.length > 0) throw new RequestValidationError(errors);
      if (merged.usageLimit !== null && merged.usageLimit < current.timesUsed)
        throw new UsageLimitBelowUsesError(merged.usageLimit, current.timesUsed);
      if (changes.code !== undefined && (await this.promotions.codeExists(manager, changes.code, id)))
        throw new PromotionCodeTakenError(changes.code);
      if (Object.keys(changes).length === 0) return this.toResponse(current);

      if (!(await this.promotions.update(manager, id, changes)))
        throw new PromotionCodeTakenError(changes.code ?? current.code);
      await this.audit.record(manager, actor, {
        action: 'promotion.updated',
        target: { type: 'promotion', id },
        details: { fields: Object.keys(changes), fromVersion: current.version },
      });
      return this.load(manager, id);
    });
  }

  /** Deactivation, not deletion: redemptions keep pointing at it, and it can be switched back on. */
  async deactivate(actor: RequestActor, id: string): Promise<PromotionDto> {
    return this.transactions.run(async (manager) => {
      const current = await this.promotions.lockById(manager, id);
      if (!current) throw new PromotionNotFoundError(id);
      if (!current.active) return this.toResponse(current);
      await this.promotions.update(manager, id, { active: false });
      await this.audit.record(manager, actor, {
        action: 'promotion.deactivated',
        target: { type: 'promotion', id },
        details: { code: current.code, fromVersion: current.version },
      });
      return this.load(manager, id);
    });
  }

  /**
   * The fields the PATCH really changes. A new kind clears the other kind's amount or percentage
   * unless the request sets it (then the terms check refuses the mix).
   */
  private changesOf(dto: UpdatePromotionDto, current: Promotion): Partial<PromotionFields> {
    const requested: Partial<PromotionFields> = {};
    for (const key of EDITABLE) {
      const value = key === 'startsAt' || key === 'endsAt' ? toDate(dto[key]) : dto[key];
      if (value !== undefined) Object.assign(requested, { [key]: value });
    }
    if (requested.kind !== undefined && requested.kind !== current.kind) {
      if (requested.percentBp === undefined) requested.percentBp = null;
      if (requested.amount === undefined) requested.amount = null;
    }
    const changes: Partial<PromotionFields> = {};
    for (const key of EDITABLE) {
      if (requested[key] === undefined || sameValue(requested[key], current[key])) continue;
      Object.assign(changes, { [key]: requested[key] });
    }
    return changes;
  }

  private async load(manager: EntityManager, id: string): Promise<PromotionDto> {
    const promotion = await this.promotions.findById(manager, id);
    if (!promotion) throw new PromotionNotFoundError(id);
    return this.toResponse(promotion);
  }

  private toResponse(promotion: Promotion): PromotionDto {
    return toPromotionResponse(promotion, this.config.catalog.currency);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
