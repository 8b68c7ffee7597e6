import { actorName, decodeCursor, Page, RequestActor, toPage } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit';
import type {
  AdjustStockDto,
  LevelDto,
  ListLevelsQueryDto,
  ListMovementsQueryDto,
  MovementDto,
  StockChangeResultDto,
  TransferStockDto,
} from './dto/inventory.dto';
import {
  InsufficientStockError,
  InvalidMovementError,
  LocationNotFoundError,
  UnknownVariantError,
} from './inventory.errors';
import { InventoryRepository, LevelView, MovementView, NewMovement } from './inventory.repository';
import { LocationsRepository } from './locations.repository';
import { LevelRefusedError, StockLedgerService } from './stock-ledger.service';

const SIGN_BY_REASON: Record<AdjustStockDto['reason'], 'positive' | 'negative' | 'any'> = {
  received: 'positive',
  returned: 'positive',
  sold: 'negative',
  damaged: 'negative',
  correction: 'any',
};

const toLevel = (level: LevelView): LevelDto => ({ ...level, available: level.onHand - level.reserved });
const toMovement = (movement: MovementView): MovementDto => ({
  ...movement,
  createdAt: movement.createdAt.toISOString(),
});

/** Staff stock operations: adjustments and transfers (ledgered, audited) and the read views. */
@Injectable()
export class InventoryService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly inventory: InventoryRepository,
    private readonly locations: LocationsRepository,
    private readonly ledger: StockLedgerService,
    private readonly audit: AuditService,
  ) {}

  async adjust(actor: RequestActor, dto: AdjustStockDto): Promise<StockChangeResultDto> {
    const sign = SIGN_BY_REASON[dto.reason];
    if ((sign === 'positive' && dto.delta < 0) || (sign === 'negative' && dto.delta > 0))
      throw new InvalidMovementError(
        `A "${dto.reason}" adjustment must ${sign === 'positive' ? 'add' : 'remove'} stock.`,
      );
    const reference = `adjustment:${randomUUID()}`;
    return this.change(
      actor,
      dto.variantId,
      [
        {
          variantId: dto.variantId,
          locationId: dto.locationId,
          reason: dto.reason,
          onHandDelta: dto.delta,
          reservedDelta: 0,
          reference,
          note: dto.note ?? null,
          actor: actorName(actor.principal),
        },
      ],
      { action: 'inventory.adjusted', details: { ...dto, reference } },
    );
  }

  async transfer(actor: RequestActor, dto: TransferStockDto): Promise<StockChangeResultDto> {
    if (dto.fromLocationId === dto.toLocationId)
      throw new InvalidMovementError('A transfer needs two different locations.');
    const reference = `transfer:${randomUUID()}`;
    const common = {
      variantId: dto.variantId,
      reason: 'transfer' as const,
      reservedDelta: 0,
      reference,
      note: dto.note ?? null,
      actor: actorName(actor.principal),
    };
    return this.change(
      actor,
      dto.variantId,
      [
        { ...common, locationId: dto.fromLocationId, onHandDelta: -dto.quantity },
        { ...common, locationId: dto.toLocationId, onHandDelta: dto.quantity },
      ],
      { action: 'inventory.transferred', details: { ...dto, reference } },
    );
  }

  async levels(query: ListLevelsQueryDto): Promise<Page<LevelDto>> {
    const after = query.cursor ? decodeCursor(query.cursor, ['v', 'l']) : undefined;
    const rows = await this.inventory.levels({
      variantId: query.variantId,
      locationId: query.locationId,
      sku: query.sku,
      after: after ? { variantId: after.v, locationId: after.l } : undefined,
      limit: query.limit + 1,
    });
    return toPage(rows, query.limit, toLevel, (row) => ({ v: row.variantId, l: row.locationId }));
  }

  async movements(query: ListMovementsQueryDto): Promise<Page<MovementDto>> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, ['id']).id : undefined;
    const rows = await this.inventory.movements({ ...query, beforeId, limit: query.limit + 1 });
    return toPage(rows, query.limit, toMovement, (row) => ({ id: row.id }));
  }

  /** One ledgered change of one variant's levels at the given locations, audited. */
  private async change(
    actor: RequestActor,
    variantId: string,
    movements: NewMovement[],
    audit: { action: string; details: object },
  ): Promise<StockChangeResultDto> {
    const levels = await this.transactions.run(async (manager) => {
      const facts = await this.inventory.variantFacts(manager, [variantId]);
      if (!facts.has(variantId)) throw new UnknownVariantError(variantId);
      const locationIds = movements.map((movement) => movement.locationId);
      for (const locationId of locationIds) {
        if (!(await this.locations.findById(manager, locationId)))
          throw new LocationNotFoundError(locationId);
      }
      await this.inventory.ensureLevels(
        manager,
        locationIds.map((locationId) => ({ variantId, locationId })),
      );
      const locked = await this.inventory.lockLevels(manager, [variantId]);
      const activeLocations = await this.inventory.activeLocationPriorities(manager);
      try {
        await this.ledger.apply(manager, locked, movements, facts, activeLocations);
      } catch (error) {
        if (!(error instanceof LevelRefusedError)) throw error;
        const level = locked.find((l) => l.locationId === error.movement.locationId)!;
        throw new InsufficientStockError([
          {
            variantId,
            sku: facts.get(variantId)!.sku,
            requested: -error.movement.onHandDelta,
            available: level.onHand - level.reserved,
            reason: 'insufficient-stock',
          },
        ]);
      }
      await this.audit.record(manager, actor, {
        action: audit.action,
        target: { type: 'variant', id: variantId },
        details: audit.details as Record<string, unknown>,
      });
      const levels = await this.inventory.levels({ variantId, limit: 1000 }, manager);
      return levels;
    });
    return { levels: levels.map(toLevel) };
  }
}
