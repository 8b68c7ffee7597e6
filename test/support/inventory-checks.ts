import type { DataSource } from 'typeorm';

export interface LevelRow {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  ledgerOnHand: number;
  ledgerReserved: number;
}

/** Every level with the sums of its ledger: they must always be equal. */
export async function levelsWithLedger(db: DataSource, variantIds: string[]): Promise<LevelRow[]> {
  const rows = await db.query<Array<Record<string, string | number>>>(
    `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved,
            COALESCE(SUM(m.on_hand_delta), 0) AS ledger_on_hand, COALESCE(SUM(m.reserved_delta), 0) AS ledger_reserved
       FROM inventory_levels l
       LEFT JOIN inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
      WHERE l.variant_id IN (?)
      GROUP BY l.variant_id, l.location_id, l.on_hand, l.reserved`,
    [variantIds],
  );
  return rows.map((row) => ({
    variantId: String(row.variant_id),
    locationId: String(row.location_id),
    onHand: Number(row.on_hand),
    reserved: Number(row.reserved),
    ledgerOnHand: Number(row.ledger_on_hand),
    ledgerReserved: Number(row.ledger_reserved),
  }));
}

/**
 * What is wrong with a variant's stock after `successes` single-unit reservations against
 * `initialStock`: oversold, negative, reserved not matching what was granted, or a ledger that does
 * not sum to the levels. Empty when the invariant held.
 */
export async function oversellViolations(
  db: DataSource,
  variantId: string,
  initialStock: number,
  successes: number,
): Promise<string[]> {
  const problems: string[] = [];
  const levels = await levelsWithLedger(db, [variantId]);
  const onHand = levels.reduce((sum, level) => sum + level.onHand, 0);
  const reserved = levels.reduce((sum, level) => sum + level.reserved, 0);
  if (successes > initialStock)
    problems.push(`oversold: ${successes} reservations granted for ${initialStock} units`);
  if (reserved !== successes)
    problems.push(`reserved is ${reserved} but ${successes} reservations were granted`);
  if (onHand - reserved < 0) problems.push(`available is negative: ${onHand - reserved}`);
  for (const level of levels) {
    if (level.ledgerOnHand !== level.onHand || level.ledgerReserved !== level.reserved)
      problems.push(
        `ledger (${level.ledgerOnHand}/${level.ledgerReserved}) differs from level (${level.onHand}/${level.reserved})`,
      );
  }
  return problems;
}
