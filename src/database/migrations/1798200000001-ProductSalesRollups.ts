/**
 * Hourly product sales per currency and variant (UTC buckets, summed into the store's days at query
 * time) for the top-products and stock reports, and an index that lets the funnel report read the
 * carts created in a range without scanning the table.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProductSalesRollups1798200000001 implements MigrationInterface {
  name = 'ProductSalesRollups1798200000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE \`product_sales_hourly\` (
        \`bucket_start\` datetime NOT NULL,
        \`currency\` char(3) NOT NULL,
        \`variant_id\` char(36) NOT NULL,
        \`product_id\` char(36) NOT NULL,
        \`units\` int NOT NULL DEFAULT 0,
        \`revenue\` bigint NOT NULL DEFAULT 0,
        \`refunds\` bigint NOT NULL DEFAULT 0,
        \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (\`bucket_start\`, \`currency\`, \`variant_id\`),
        KEY \`ix_product_sales_hourly_variant\` (\`variant_id\`, \`bucket_start\`)
      ) ENGINE=InnoDB
    `);
    await queryRunner.query(`CREATE INDEX \`ix_carts_created\` ON \`carts\` (\`created_at\`, \`order_id\`)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`ix_carts_created\` ON \`carts\``);
    await queryRunner.query(`DROP TABLE \`product_sales_hourly\``);
  }
}
