/** Inventory housekeeping runs on the shared maintenance queue. */
export const InventoryJobs = {
  /** Repeatable: release active reservations past their `expiresAt`. */
  releaseExpired: 'inventory.release-expired',
} as const;
