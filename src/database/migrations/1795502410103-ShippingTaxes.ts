import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shipping zones (a country in one zone at most), their methods, and tax rates per country and
 * subdivision. The CHECK is hand-written (TypeORM does not model CHECKs on MySQL): a rate above
 * 100 % is refused by the database too, whatever a bug upstream does.
 */
export class ShippingTaxes1795502410103 implements MigrationInterface {
  name = 'ShippingTaxes1795502410103';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`shipping_methods\` (
                \`id\` char(36) NOT NULL,
                \`zone_id\` char(36) NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`rate\` int UNSIGNED NOT NULL,
                \`free_over\` int UNSIGNED NULL,
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`position\` int NOT NULL DEFAULT '0',
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_shipping_methods_zone\` (\`zone_id\`, \`position\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`shipping_zone_countries\` (
                \`zone_id\` char(36) NOT NULL,
                \`country_code\` char(2) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                UNIQUE INDEX \`uq_shipping_zone_countries_country\` (\`country_code\`),
                PRIMARY KEY (\`zone_id\`, \`country_code\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`shipping_zones\` (
                \`id\` char(36) NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`tax_rates\` (
                \`id\` char(36) NOT NULL,
                \`country\` char(2) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`region\` varchar(10) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL DEFAULT '',
                \`name\` varchar(200) NOT NULL,
                \`rate_bp\` int UNSIGNED NOT NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_tax_rates_country_region\` (\`country\`, \`region\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(
      'ALTER TABLE `tax_rates` ADD CONSTRAINT `chk_tax_rates_rate_bp` CHECK (`rate_bp` <= 10000)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `tax_rates` DROP CONSTRAINT `chk_tax_rates_rate_bp`');
    await queryRunner.query(`
            DROP INDEX \`uq_tax_rates_country_region\` ON \`tax_rates\`
        `);
    await queryRunner.query(`
            DROP TABLE \`tax_rates\`
        `);
    await queryRunner.query(`
            DROP TABLE \`shipping_zones\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_shipping_zone_countries_country\` ON \`shipping_zone_countries\`
        `);
    await queryRunner.query(`
            DROP TABLE \`shipping_zone_countries\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_shipping_methods_zone\` ON \`shipping_methods\`
        `);
    await queryRunner.query(`
            DROP TABLE \`shipping_methods\`
        `);
  }
}
