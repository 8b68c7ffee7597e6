import { AppConfig } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** After a replica could not catch up (or be reached), the reads it failed skip it for this long. */
export const REPLICA_BEHIND_BACKOFF_MS = 1_000;

/** How each server type names its executed-transactions position and the wait for a replica to reach one. */
const POSITION = {
  mariadb: {
    read: 'SELECT @@GLOBAL.gtid_binlog_pos AS position',
    // 0: reached; -1: timed out.
    wait: 'SELECT MASTER_GTID_WAIT(?, ?) = 0 AS reached',
  },
  mysql: {
    read: 'SELECT @@GLOBAL.gtid_executed AS position',
    // 0: reached; 1: timed out (needs gtid_mode=ON on both servers).
    wait: 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) = 0 AS reached',
  },
} as const;

/**
 * Where the reads that may use a read replica go (DB_REPLICA_HOSTS). Nothing else reads a replica:
 * TypeORM's replication runs with `defaultMode: 'master'` (see buildDataSourceOptions), so carts,
 * checkout, sign-in and a customer's own orders always read the primary and see what the same
 * client has just written. Two kinds of reads opt in here:
 *
 * - `current`: the storefront catalog. Its cache files a response under the catalog generation read
 *   before the database, so a read must not be older than the primary was when it began, or a page
 *   from before a price change would be cached as the page after it. The read asks the primary for
 *   its GTID position (no table is read there), waits up to DB_REPLICA_WAIT_MS for the replica to
 *   reach it, and reads the replica; a replica still behind sends the read to the primary, and
 *   for the next second every such read goes straight there (a stopped replica costs one wait a
 *   second, not one per read).
 * - `lagging`: staff reports, which sum rollups the worker fills after the fact anyway: they read
 *   whatever the replica has, even while replication is stopped, and keep their load off the primary.
 *
 * Without a replica both run on the primary's pool. A replica that cannot be reached is skipped for a
 * second (its reads go to the primary); a query that fails on a replica fails as it would anywhere.
 */
@Injectable()
export class ReplicaReads {
  private readonly logger = new Logger(ReplicaReads.name);
  /** Until when `current` reads skip the replica (it was behind). */
  private behindUntil = 0;
  /** Until when every read skips the replica (it could not be reached). */
  private unreachableUntil = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  get configured(): boolean {
    return this.config.database.replica !== undefined;
  }

  /** `work` on a replica that has everything the primary had committed when this call began. */
  async current<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const replica = this.config.database.replica;
    if (!replica || Date.now() < this.behindUntil) return work(this.dataSource.manager);
    const sql = POSITION[this.config.database.type];
    const [{ position }] = await this.dataSource.query<Array<{ position: string }>>(sql.read);
    return this.onReplica(work, async (runner) => {
      const [{ reached }] = (await runner.query(sql.wait, [
        position,
        replica.catchUpWaitMs / 1000,
      ])) as Array<{
        reached: number | string | null;
      }>;
      if (Number(reached) === 1) return true;
      this.behindUntil = Date.now() + REPLICA_BEHIND_BACKOFF_MS;
      this.logger.warn(
        `The read replica did not reach the primary's position within ${replica.catchUpWaitMs} ms: ` +
          `catalog reads go to the primary for ${REPLICA_BEHIND_BACKOFF_MS} ms`,
      );
      return false;
    });
  }

  /** `work` on a replica as it is, however far behind (reports). */
  lagging<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.configured) return work(this.dataSource.manager);
    return this.onReplica(work, () => Promise.resolve(true));
  }

  /** `work` on a replica connection `usable` accepts, else on the primary. */
  private async onReplica<T>(
    work: (manager: EntityManager) => Promise<T>,
    usable: (runner: QueryRunner) => Promise<boolean>,
  ): Promise<T> {
    if (Date.now() < this.unreachableUntil) return work(this.dataSource.manager);
    const runner = this.dataSource.createQueryRunner('slave');
    let accepted = false;
    try {
      await runner.connect();
      accepted = await usable(runner);
    } catch (error) {
      this.unreachableUntil = Date.now() + REPLICA_BEHIND_BACKOFF_MS;
      this.logger.warn({ err: error }, 'The read replica does not answer: reading the primary');
    }
    try {
      if (!accepted) {
        await runner.release();
        return await work(this.dataSource.manager);
      }
      return await work(runner.manager);
    } finally {
      if (!runner.isReleased) await runner.release();
    }
  }
}
