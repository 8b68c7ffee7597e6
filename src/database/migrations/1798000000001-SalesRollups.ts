/**
 * Hourly sales rollups per currency (UTC buckets; the store's days are summed at query time), the
 * domain events already counted into them (so a redelivery never counts twice), and the nightly
 * reconciliations that compare them with the orders.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class SalesRollups1798000000001 implements MigrationInterface {
  name = 'SalesRollups1798000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE \`sales_hourly\` (
        \`bucket_start\` datetime NOT NULL,
        \`currency\` char(3) NOT NULL,
        \`orders_placed\` int NOT NULL DEFAULT 0,
        \`orders_paid\` int NOT NULL DEFAULT 0,
        \`orders_cancelled\` int NOT NULL DEFAULT 0,
        \`units\` int NOT NULL DEFAULT 0,
        \`gross\` bigint NOT NULL DEFAULT 0,
        \`discounts\` bigint NOT NULL DEFAULT 0,
        \`shipping\` bigint NOT NULL DEFAULT 0,
        \`tax\` bigint NOT NULL DEFAULT 0,
        \`placed_total\` bigint NOT NULL DEFAULT 0,
        \`paid_total\` bigint NOT NULL DEFAULT 0,
        \`refunds\` bigint NOT NULL DEFAULT 0,
        \`net\` bigint NOT NULL DEFAULT 0,
        \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (\`bucket_start\`, \`currency\`)
      ) ENGINE=InnoDB
    `);
    await queryRunner.query(`
      CREATE TABLE \`analytics_applied_events\` (
        \`event_id\` varchar(40) NOT NULL,
        \`type\` varchar(60) NOT NULL,
        \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (\`event_id\`),
        KEY \`ix_analytics_applied_events_created\` (\`created_at\`)
      ) ENGINE=InnoDB
    `);
    await queryRunner.query(`
      CREATE TABLE \`analytics_reconciliations\` (
        \`id\` bigint unsigned NOT NULL AUTO_INCREMENT,
        \`window_start\` datetime NOT NULL,
        \`window_end\` datetime NOT NULL,
        \`buckets_checked\` int NOT NULL,
        \`buckets_corrected\` int NOT NULL,
        \`amount_corrected\` bigint NOT NULL,
        \`count_corrected\` int NOT NULL,
        \`corrections\` json NOT NULL,
        \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (\`id\`)
      ) ENGINE=InnoDB
    `);
    // The reconciliation reads the orders paid or cancelled in its window (created_at has its index).
    await queryRunner.query(`CREATE INDEX \`ix_orders_paid_at\` ON \`orders\` (\`paid_at\`)`);
    await queryRunner.query(`CREATE INDEX \`ix_orders_cancelled_at\` ON \`orders\` (\`cancelled_at\`)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`ix_orders_cancelled_at\` ON \`orders\``);
    await queryRunner.query(`DROP INDEX \`ix_orders_paid_at\` ON \`orders\``);
    await queryRunner.query(`DROP TABLE \`analytics_reconciliations\``);
    await queryRunner.query(`DROP TABLE \`analytics_applied_events\``);
    await queryRunner.query(`DROP TABLE \`sales_hourly\``);
  }
}
