/**
 * Daily sales rollups per local date of the store's time zone (the hourly buckets summed per local
 * day), and which time zone they were built for. The marker starts empty: the rows are built from
 * `sales_hourly` by the worker (at start and on the reconcile job), and until then the sales report
 * sums the hourly buckets as before.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class SalesDaily1798300000001 implements MigrationInterface {
  name = 'SalesDaily1798300000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE \`sales_daily\` (
        \`local_date\` date NOT NULL,
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
        \`new_customers\` int NOT NULL DEFAULT 0,
        \`returning_customers\` int NOT NULL DEFAULT 0,
        \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (\`local_date\`, \`currency\`)
      ) ENGINE=InnoDB
    `);
    // One row: the IANA zone sales_daily was built for; NULL = not built (read the hourly buckets).
    await queryRunner.query(`
      CREATE TABLE \`sales_daily_state\` (
        \`id\` tinyint unsigned NOT NULL,
        \`time_zone\` varchar(64) NULL,
        \`built_at\` datetime(3) NULL,
        PRIMARY KEY (\`id\`)
      ) ENGINE=InnoDB
    `);
    await queryRunner.query('INSERT INTO `sales_daily_state` (`id`, `time_zone`) VALUES (1, NULL)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`sales_daily_state\``);
    await queryRunner.query(`DROP TABLE \`sales_daily\``);
  }
}
