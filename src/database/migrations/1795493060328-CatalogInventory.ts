import { MigrationInterface, QueryRunner } from 'typeorm';

export class CatalogInventory1795493060328 implements MigrationInterface {
  name = 'CatalogInventory1795493060328';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`categories\` (
                \`id\` char(36) NOT NULL,
                \`parent_id\` char(36) NULL,
                \`slug\` varchar(120) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`position\` int NOT NULL DEFAULT '0',
                \`path\` varchar(1000) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_categories_path\` (\`path\`),
                INDEX \`ix_categories_parent_position\` (\`parent_id\`, \`position\`),
                UNIQUE INDEX \`uq_categories_slug\` (\`slug\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`product_categories\` (
                \`product_id\` char(36) NOT NULL,
                \`category_id\` char(36) NOT NULL,
                INDEX \`ix_product_categories_category\` (\`category_id\`, \`product_id\`),
                PRIMARY KEY (\`product_id\`, \`category_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`product_variants\` (
                \`id\` char(36) NOT NULL,
                \`product_id\` char(36) NOT NULL,
                \`sku\` varchar(64) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`title\` varchar(200) NOT NULL,
                \`option_values\` json NOT NULL,
                \`price\` int UNSIGNED NOT NULL,
                \`compare_at_price\` int UNSIGNED NULL,
                \`weight_grams\` int UNSIGNED NULL,
                \`barcode\` varchar(64) NULL,
                \`position\` int NOT NULL DEFAULT '0',
                \`status\` enum ('active', 'archived') NOT NULL DEFAULT 'active',
                \`low_stock_threshold\` int UNSIGNED NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_product_variants_price\` (\`price\`, \`product_id\`),
                INDEX \`ix_product_variants_product\` (\`product_id\`, \`position\`),
                UNIQUE INDEX \`uq_product_variants_sku\` (\`sku\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`products\` (
                \`id\` char(36) NOT NULL,
                \`slug\` varchar(120) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`title\` varchar(200) NOT NULL,
                \`description\` mediumtext NOT NULL,
                \`search_text\` mediumtext NOT NULL,
                \`status\` enum ('draft', 'active', 'archived') NOT NULL DEFAULT 'draft',
                \`attributes\` json NOT NULL,
                \`options\` json NOT NULL,
                \`images\` json NOT NULL,
                \`min_price\` int UNSIGNED NULL,
                \`max_price\` int UNSIGNED NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                FULLTEXT INDEX \`ft_products_search\` (\`title\`, \`search_text\`),
                FULLTEXT INDEX \`ft_products_title\` (\`title\`),
                INDEX \`ix_products_status_title\` (\`status\`, \`title\`, \`id\`),
                INDEX \`ix_products_status_min_price\` (\`status\`, \`min_price\`, \`id\`),
                INDEX \`ix_products_status_id\` (\`status\`, \`id\`),
                UNIQUE INDEX \`uq_products_slug\` (\`slug\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`variant_option_values\` (
                \`variant_id\` char(36) NOT NULL,
                \`name\` varchar(50) NOT NULL,
                \`value\` varchar(100) NOT NULL,
                INDEX \`ix_variant_option_values_lookup\` (\`name\`, \`value\`, \`variant_id\`),
                PRIMARY KEY (\`variant_id\`, \`name\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`inventory_levels\` (
                \`variant_id\` char(36) NOT NULL,
                \`location_id\` char(36) NOT NULL,
                \`on_hand\` int NOT NULL DEFAULT '0',
                \`reserved\` int NOT NULL DEFAULT '0',
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_inventory_levels_location\` (\`location_id\`, \`variant_id\`),
                PRIMARY KEY (\`variant_id\`, \`location_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`inventory_movements\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`variant_id\` char(36) NOT NULL,
                \`location_id\` char(36) NOT NULL,
                \`reason\` enum (
                    'received',
                    'sold',
                    'returned',
                    'damaged',
                    'correction',
                    'transfer',
                    'reservation',
                    'release'
                ) NOT NULL,
                \`on_hand_delta\` int NOT NULL,
                \`reserved_delta\` int NOT NULL,
                \`reference\` varchar(100) NULL,
                \`note\` varchar(500) NULL,
                \`actor\` varchar(64) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_inventory_movements_reference\` (\`reference\`),
                INDEX \`ix_inventory_movements_level\` (\`variant_id\`, \`location_id\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`inventory_reservations\` (
                \`id\` char(36) NOT NULL,
                \`reference\` varchar(100) NOT NULL,
                \`status\` enum ('active', 'committed', 'released') NOT NULL DEFAULT 'active',
                \`expires_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_inventory_reservations_expiry\` (\`status\`, \`expires_at\`),
                UNIQUE INDEX \`uq_inventory_reservations_reference\` (\`reference\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`inventory_reservation_lines\` (
                \`reservation_id\` char(36) NOT NULL,
                \`variant_id\` char(36) NOT NULL,
                \`location_id\` char(36) NOT NULL,
                \`quantity\` int UNSIGNED NOT NULL,
                PRIMARY KEY (\`reservation_id\`, \`variant_id\`, \`location_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`stock_locations\` (
                \`id\` char(36) NOT NULL,
                \`code\` varchar(50) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`priority\` int NOT NULL DEFAULT '0',
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_stock_locations_code\` (\`code\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`uq_stock_locations_code\` ON \`stock_locations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`stock_locations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`inventory_reservation_lines\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_inventory_reservations_reference\` ON \`inventory_reservations\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_inventory_reservations_expiry\` ON \`inventory_reservations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`inventory_reservations\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_inventory_movements_level\` ON \`inventory_movements\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_inventory_movements_reference\` ON \`inventory_movements\`
        `);
    await queryRunner.query(`
            DROP TABLE \`inventory_movements\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_inventory_levels_location\` ON \`inventory_levels\`
        `);
    await queryRunner.query(`
            DROP TABLE \`inventory_levels\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_variant_option_values_lookup\` ON \`variant_option_values\`
        `);
    await queryRunner.query(`
            DROP TABLE \`variant_option_values\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_products_slug\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_products_status_id\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_products_status_min_price\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_products_status_title\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ft_products_title\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ft_products_search\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP TABLE \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_product_variants_sku\` ON \`product_variants\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_product_variants_product\` ON \`product_variants\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_product_variants_price\` ON \`product_variants\`
        `);
    await queryRunner.query(`
            DROP TABLE \`product_variants\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_product_categories_category\` ON \`product_categories\`
        `);
    await queryRunner.query(`
            DROP TABLE \`product_categories\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_categories_slug\` ON \`categories\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_categories_parent_position\` ON \`categories\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_categories_path\` ON \`categories\`
        `);
    await queryRunner.query(`
            DROP TABLE \`categories\`
        `);
  }
}
