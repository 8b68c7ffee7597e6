// Multi-row INSERTs for the seeds: the demo catalog and the demo year write tens of thousands of rows,
// and one statement per row would take minutes where a few hundred statements take seconds.
import type { EntityManager, QueryRunner } from 'typeorm';

/** Rows per INSERT statement: about 2.5 MB of products, far below max_allowed_packet (16 MB by default). */
export const ROWS_PER_STATEMENT = 1_000;

/** Multi-row INSERTs of `rows` into `table`, ROWS_PER_STATEMENT at a time. */
export async function insertRows<T>(
  runner: QueryRunner | EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly T[],
  values: (row: T) => unknown[],
): Promise<void> {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const head = `INSERT INTO \`${table}\` (${columns.map((column) => `\`${column}\``).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const batch = rows.slice(start, start + ROWS_PER_STATEMENT);
    await runner.query(
      head + batch.map(() => tuple).join(', '),
      batch.flatMap((row) => values(row)),
    );
  }
}
