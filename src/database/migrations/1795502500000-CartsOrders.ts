import { MigrationInterface, QueryRunner } from 'typeorm';

export class CartsOrders1795502500000 implements MigrationInterface {
  name = 'CartsOrders1795502500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`orders\` (
                \`id\` char(36) NOT NULL,
                \`number\` varchar(24) NOT NULL,
                \`cart_id\` char(36) NOT NULL,
                \`customer_id\` char(36) NULL,
                \`token_hash\` char(64) NULL,
                \`email\` varchar(320) NOT NULL,
                \`status\` enum (
                    'pending_payment',
                    'paid',
                    'partially_fulfilled',
                    'fulfilled',
                    'shipped',
                    'delivered',
                    'cancelled',
                    'partially_refunded',
                    'refunded'
                ) NOT NULL,
                \`payment_method\` enum ('bank_transfer', 'cash_on_delivery') NOT NULL,
                \`currency\` char(3) NOT NULL,
                \`price_mode\` enum ('tax_exclusive', 'tax_inclusive') NOT NULL,
                \`subtotal\` int UNSIGNED NOT NULL,
                \`discount\` int UNSIGNED NOT NULL,
                \`shipping\` int UNSIGNED NOT NULL,
                \`shipping_tax\` int UNSIGNED NOT NULL,
                \`tax\` int UNSIGNED NOT NULL,
                \`total\` int UNSIGNED NOT NULL,
                \`tax_rate_bp\` smallint UNSIGNED NOT NULL,
                \`promotion_code\` varchar(50) NULL,
                \`shipping_method_id\` char(36) NULL,
                \`shipping_method_name\` varchar(200) NULL,
                \`shipping_address\` json NOT NULL,
                \`billing_address\` json NOT NULL,
                \`expires_at\` datetime(3) NULL,
                \`paid_at\` datetime(3) NULL,
                \`cancelled_at\` datetime(3) NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_orders_expiry\` (\`status\`, \`expires_at\`),
                INDEX \`ix_orders_created\` (\`created_at\`, \`id\`),
                INDEX \`ix_orders_status_created\` (\`status\`, \`created_at\`, \`id\`),
                INDEX \`ix_orders_customer_created\` (\`customer_id\`, \`created_at\`, \`id\`),
                UNIQUE INDEX \`uq_orders_cart\` (\`cart_id\`),
                UNIQUE INDEX \`uq_orders_number\` (\`number\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`order_lines\` (
                \`id\` char(36) NOT NULL,
                \`order_id\` char(36) NOT NULL,
                \`position\` smallint UNSIGNED NOT NULL,
                \`variant_id\` char(36) NOT NULL,
                \`product_id\` char(36) NOT NULL,
                \`sku\` varchar(64) NOT NULL,
                \`title\` varchar(200) NOT NULL,
                \`variant_title\` varchar(200) NOT NULL,
                \`unit_price\` int UNSIGNED NOT NULL,
                \`quantity\` smallint UNSIGNED NOT NULL,
                \`subtotal\` int UNSIGNED NOT NULL,
                \`discount\` int UNSIGNED NOT NULL,
                \`tax\` int UNSIGNED NOT NULL,
                \`total\` int UNSIGNED NOT NULL,
                \`fulfilled_quantity\` smallint UNSIGNED NOT NULL DEFAULT '0',
                INDEX \`ix_order_lines_order\` (\`order_id\`, \`position\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`order_history\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`order_id\` char(36) NOT NULL,
                \`from_status\` enum (
                    'pending_payment',
                    'paid',
                    'partially_fulfilled',
                    'fulfilled',
                    'shipped',
                    'delivered',
                    'cancelled',
                    'partially_refunded',
                    'refunded'
                ) NULL,
                \`to_status\` enum (
                    'pending_payment',
                    'paid',
                    'partially_fulfilled',
                    'fulfilled',
                    'shipped',
                    'delivered',
                    'cancelled',
                    'partially_refunded',
                    'refunded'
                ) NOT NULL,
                \`actor\` varchar(100) NOT NULL,
                \`reason\` varchar(500) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_order_history_order\` (\`order_id\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`order_numbers\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`fulfilments\` (
                \`id\` char(36) NOT NULL,
                \`order_id\` char(36) NOT NULL,
                \`carrier\` varchar(100) NOT NULL,
                \`tracking_number\` varchar(100) NOT NULL,
                \`actor\` varchar(100) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_fulfilments_order\` (\`order_id\`, \`created_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`fulfilment_lines\` (
                \`fulfilment_id\` char(36) NOT NULL,
                \`order_line_id\` char(36) NOT NULL,
                \`quantity\` smallint UNSIGNED NOT NULL,
                PRIMARY KEY (\`fulfilment_id\`, \`order_line_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`carts\` (
                \`id\` char(36) NOT NULL,
                \`customer_id\` char(36) NULL,
                \`token_hash\` char(64) NULL,
                \`status\` enum ('active', 'checked_out', 'merged') NOT NULL DEFAULT 'active',
                \`email\` varchar(320) NULL,
                \`currency\` char(3) NOT NULL,
                \`promotion_code\` varchar(50) NULL,
                \`shipping_method_id\` char(36) NULL,
                \`shipping_address\` json NULL,
                \`billing_address\` json NULL,
                \`order_id\` char(36) NULL,
                \`merged_into_id\` char(36) NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_carts_customer_status\` (\`customer_id\`, \`status\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`cart_items\` (
                \`id\` char(36) NOT NULL,
                \`cart_id\` char(36) NOT NULL,
                \`variant_id\` char(36) NOT NULL,
                \`quantity\` smallint UNSIGNED NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_cart_items_cart_variant\` (\`cart_id\`, \`variant_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`uq_cart_items_cart_variant\` ON \`cart_items\`
        `);
    await queryRunner.query(`
            DROP TABLE \`cart_items\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_carts_customer_status\` ON \`carts\`
        `);
    await queryRunner.query(`
            DROP TABLE \`carts\`
        `);
    await queryRunner.query(`
            DROP TABLE \`fulfilment_lines\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_fulfilments_order\` ON \`fulfilments\`
        `);
    await queryRunner.query(`
            DROP TABLE \`fulfilments\`
        `);
    await queryRunner.query(`
            DROP TABLE \`order_numbers\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_order_history_order\` ON \`order_history\`
        `);
    await queryRunner.query(`
            DROP TABLE \`order_history\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_order_lines_order\` ON \`order_lines\`
        `);
    await queryRunner.query(`
            DROP TABLE \`order_lines\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_orders_number\` ON \`orders\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_orders_cart\` ON \`orders\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_orders_customer_created\` ON \`orders\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_orders_status_created\` ON \`orders\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_orders_created\` ON \`orders\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_orders_expiry\` ON \`orders\`
        `);
    await queryRunner.query(`
            DROP TABLE \`orders\`
        `);
  }
}
