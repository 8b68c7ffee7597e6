import { AppConfig } from '@app/config';
import type { TransactionContext } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import { MailJobs, type SendMailPayload } from '../notifications';
import { OutboxService, type NewOutboxMessage } from '../outbox';
import { InventoryRepository, LockedLevel, NewMovement, VariantFacts } from './inventory.repository';
import { STOREFRONT_AVAILABILITY, type StorefrontAvailability } from './storefront-availability.port';

/** Thrown inside the transaction when a conditional UPDATE refused: the whole change rolls back. */
export class LevelRefusedError extends Error {
  constructor(readonly movement: NewMovement) {
    super(`level change refused for ${movement.variantId}@${movement.locationId}`);
  }
}

/**
 * Applies movements to levels that the caller has locked, in the caller's transaction, and writes
 * what follows from them to the outbox in that same transaction: a low-stock alert (event and staff
 * mail) when a variant's available stock falls below its threshold, an availability event and the
 * storefront's update (through the STOREFRONT_AVAILABILITY port) when it crosses zero.
 */
@Injectable()
export class StockLedgerService {
  constructor(
    private readonly inventory: InventoryRepository,
    private readonly outbox: OutboxService,
    @Inject(STOREFRONT_AVAILABILITY) private readonly storefront: StorefrontAvailability,
    private readonly config: AppConfig,
  ) {}

  async apply(
    manager: TransactionContext,
    locked: LockedLevel[],
    movements: NewMovement[],
    facts: Map<string, VariantFacts>,
    activeLocations: Map<string, number>,
  ): Promise<void> {
    const availableOf = (levels: LockedLevel[], variantId: string) =>
      levels
        .filter((level) => level.variantId === variantId && activeLocations.has(level.locationId))
        .reduce((sum, level) => sum + level.onHand - level.reserved, 0);
    const after = locked.map((level) => ({ ...level }));
    let refused: NewMovement | null = null;
    for (const movement of movements) {
      const level = after.find(
        (l) => l.variantId === movement.variantId && l.locationId === movement.locationId,
      );
      if (level) {
        level.onHand += movement.onHandDelta;
        level.reserved += movement.reservedDelta;
      }
      if (!level || level.onHand < 0 || level.reserved < 0 || level.onHand < level.reserved)
        refused ??= movement;
    }
    // Every level change in one statement; a refusal names the first movement the locked rows cannot take.
    if (!(await this.inventory.applyDeltas(manager, movements)))
      throw new LevelRefusedError(refused ?? movements[0]);
    // The ledger rows of every level change above, in one statement, in the same transaction.
    await this.inventory.insertMovements(manager, movements);

    const messages: NewOutboxMessage[] = [];
    const soldOutOrBack = new Set<string>();
    let availabilityChanged = false;
    for (const variantId of new Set(movements.map((movement) => movement.variantId))) {
      const before = availableOf(locked, variantId);
      const now = availableOf(after, variantId);
      const variant = facts.get(variantId);
      if (!variant) continue;
      if (before > 0 !== now > 0) {
        availabilityChanged = true;
        soldOutOrBack.add(variant.productId);
        messages.push({
          jobName: 'inventory.availability-changed',
          payload: { variantId, sku: variant.sku, inStock: now > 0 },
        });
      }
      const threshold = variant.lowStockThreshold;
      if (threshold !== null && before >= threshold && now < threshold) {
        messages.push({
          jobName: 'inventory.low-stock',
          payload: { variantId, sku: variant.sku, available: now, threshold },
        });
        const mail: SendMailPayload<'low-stock'> = {
          template: 'low-stock',
          to: this.config.catalog.staffAlertEmail,
          data: { sku: variant.sku, title: variant.title, available: now, threshold },
          sealedSecrets: {},
        };
        messages.push({ jobName: MailJobs.send, payload: mail });
      }
    }
    if (availabilityChanged) {
      // The storefront's "in stock" is part of the product's read model: rebuilt with the change.
      await this.storefront.productsChanged(manager, soldOutOrBack);
    }
    await this.outbox.enqueue(manager, ...messages);
  }
}
