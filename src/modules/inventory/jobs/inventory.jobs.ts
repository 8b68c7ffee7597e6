/**
 * The inventory queue: housekeeping (its own queue: a second processor class on the shared
 * maintenance queue made a worker's close race Bull's blocking reads on that queue).
 */
export const INVENTORY_QUEUE = 'inventory';

export const InventoryJobs = {
  /** Repeatable: release active reservations past their `expiresAt`. */
  releaseExpired: 'inventory.release-expired',
} as const;
