import { Injectable } from '@nestjs/common';
import type { TransactionContext } from '@app/database';
import { InvalidMovementError } from './inventory.errors';
import { InventoryRepository, NewMovement } from './inventory.repository';
import { LevelRefusedError, StockLedgerService } from './stock-ledger.service';

export interface OnHandCorrection {
  variantId: string;
  locationId: string;
  /** The absolute count on hand (a stocktake, an import). */
  onHand: number;
}

/**
 * Sets on-hand counts to what was counted, inside the caller's transaction, through the same ledger
 * as every other stock change: one `correction` movement per level that differs, low-stock and
 * availability events, the storefront's read model. For other features (CSV import).
 */
@Injectable()
export class StockCorrectionsService {
  constructor(
    private readonly inventory: InventoryRepository,
    private readonly ledger: StockLedgerService,
  ) {}

  /** Throws InvalidMovementError (nothing applied) when a count is below what is reserved there. */
  async apply(
    manager: TransactionContext,
    corrections: OnHandCorrection[],
    options: { reference: string; actor: string },
  ): Promise<void> {
    if (corrections.length === 0) return;
    await this.inventory.ensureLevels(manager, corrections);
    const variantIds = [...new Set(corrections.map((c) => c.variantId))];
    const locked = await this.inventory.lockLevels(manager, variantIds);
    const movements: NewMovement[] = [];
    for (const correction of corrections) {
      const level = locked.find(
        (l) => l.variantId === correction.variantId && l.locationId === correction.locationId,
      )!;
      const delta = correction.onHand - level.onHand;
      if (delta === 0) continue;
      movements.push({
        variantId: correction.variantId,
        locationId: correction.locationId,
        reason: 'correction',
        onHandDelta: delta,
        reservedDelta: 0,
        reference: options.reference,
        note: null,
        actor: options.actor,
      });
    }
    const [facts, activeLocations] = await Promise.all([
      this.inventory.variantFacts(manager, variantIds),
      this.inventory.activeLocationPriorities(manager),
    ]);
    try {
      await this.ledger.apply(manager, locked, movements, facts, activeLocations);
    } catch (error) {
      if (error instanceof LevelRefusedError)
        throw new InvalidMovementError(
          `On hand for ${error.movement.variantId} cannot go below what is reserved.`,
        );
      throw error;
    }
  }
}
