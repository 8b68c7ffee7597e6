import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promotions (discount codes), their redemptions by orders and the per-customer use counters.
 * Hand-written CHECK constraints (TypeORM does not model them on MySQL) make the database itself
 * refuse more uses than the limit and terms that do not fit the kind, whatever a bug in the
 * application does — the same guard stock has (InventoryChecks).
 */
export class Promotions1795502192311 implements MigrationInterface {
  name = 'Promotions1795502192311';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`promotion_customer_usage\` (
                \`promotion_id\` char(36) NOT NULL,
                \`customer_key\` varchar(320) NOT NULL,
                \`uses\` int UNSIGNED NOT NULL DEFAULT '0',
                PRIMARY KEY (\`promotion_id\`, \`customer_key\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`promotion_redemptions\` (
                \`id\` char(36) NOT NULL,
                \`promotion_id\` char(36) NOT NULL,
                \`order_id\` char(36) NOT NULL,
                \`customer_key\` varchar(320) NOT NULL,
                \`status\` enum ('active', 'released') NOT NULL DEFAULT 'active',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`released_at\` datetime(3) NULL,
                INDEX \`ix_promotion_redemptions_promotion\` (\`promotion_id\`, \`status\`),
                UNIQUE INDEX \`uq_promotion_redemptions_order\` (\`order_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`promotions\` (
                \`id\` char(36) NOT NULL,
                \`code\` varchar(50) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`description\` varchar(500) NULL,
                \`kind\` enum ('percentage', 'fixed_amount', 'free_shipping') NOT NULL,
                \`percent_bp\` int NULL,
                \`amount\` int UNSIGNED NULL,
                \`min_subtotal\` int UNSIGNED NULL,
                \`starts_at\` datetime(3) NULL,
                \`ends_at\` datetime(3) NULL,
                \`usage_limit\` int UNSIGNED NULL,
                \`per_customer_limit\` int UNSIGNED NULL,
                \`times_used\` int UNSIGNED NOT NULL DEFAULT '0',
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_promotions_active_id\` (\`active\`, \`id\`),
                UNIQUE INDEX \`uq_promotions_code\` (\`code\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(
      'ALTER TABLE `promotions`' +
        ' ADD CONSTRAINT `chk_promotions_usage` CHECK (`usage_limit` IS NULL OR `times_used` <= `usage_limit`),' +
        ' ADD CONSTRAINT `chk_promotions_percent` CHECK (`percent_bp` IS NULL OR `percent_bp` BETWEEN 1 AND 10000),' +
        " ADD CONSTRAINT `chk_promotions_terms` CHECK ((`kind` = 'percentage') = (`percent_bp` IS NOT NULL)" +
        " AND (`kind` = 'fixed_amount') = (`amount` IS NOT NULL))," +
        ' ADD CONSTRAINT `chk_promotions_dates` CHECK (`starts_at` IS NULL OR `ends_at` IS NULL OR `ends_at` > `starts_at`)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `promotions` DROP CONSTRAINT `chk_promotions_dates`, DROP CONSTRAINT `chk_promotions_terms`,' +
        ' DROP CONSTRAINT `chk_promotions_percent`, DROP CONSTRAINT `chk_promotions_usage`',
    );
    await queryRunner.query(`
            DROP INDEX \`uq_promotions_code\` ON \`promotions\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_promotions_active_id\` ON \`promotions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`promotions\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_promotion_redemptions_order\` ON \`promotion_redemptions\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_promotion_redemptions_promotion\` ON \`promotion_redemptions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`promotion_redemptions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`promotion_customer_usage\`
        `);
  }
}
