import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const MIGRATION_LOCK_WAIT_SECONDS = 120;

/**
 * Runs pending migrations under a MySQL advisory lock, so API replicas and workers that start at
 * the same moment do not race each other through the same DDL (DDL is not transactional in MySQL).
 * Returns how many it applied (0: another process had, or nothing was pending).
 */
export async function runMigrationsLocked(
  dataSource: DataSource,
  logger = new Logger('Migrations'),
): Promise<number> {
  // GET_LOCK names are server-wide: include the database so deployments sharing a server do not wait on each other.
  const lockName = `sk:migrations:${String(dataSource.options.database)}`.slice(0, 64); // MySQL caps lock names at 64
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    const rows = (await lockHolder.query('SELECT GET_LOCK(?, ?) AS acquired', [
      lockName,
      MIGRATION_LOCK_WAIT_SECONDS,
    ])) as unknown as Array<{ acquired: number | string | null }>;
    const acquired = rows[0]?.acquired;
    if (Number(acquired) !== 1) {
      throw new Error(`Could not take the migration lock within ${MIGRATION_LOCK_WAIT_SECONDS}s`);
    }
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        logger.log(`Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
      return applied.length;
    } finally {
      await lockHolder.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await lockHolder.release();
  }
}
