import { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1795505831092 implements MigrationInterface {
  name = 'Payments1795505831092';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`payments\` (
                \`id\` char(36) NOT NULL,
                \`order_id\` char(36) NOT NULL,
                \`provider\` enum ('manual', 'sandbox', 'stripe') NOT NULL,
                \`provider_reference\` varchar(100) NULL,
                \`amount\` int UNSIGNED NOT NULL,
                \`currency\` char(3) NOT NULL,
                \`state\` enum (
                    'pending',
                    'requires_action',
                    'authorized',
                    'captured',
                    'partially_refunded',
                    'refunded',
                    'voided',
                    'failed'
                ) NOT NULL,
                \`captured_amount\` int UNSIGNED NOT NULL DEFAULT '0',
                \`refunded_amount\` int UNSIGNED NOT NULL DEFAULT '0',
                \`failure_code\` varchar(100) NULL,
                \`failure_message\` varchar(500) NULL,
                \`flagged_reason\` varchar(500) NULL,
                \`last_event_at\` datetime(3) NULL,
                \`recorded_by\` varchar(100) NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_payments_provider_reference\` (\`provider\`, \`provider_reference\`),
                INDEX \`ix_payments_order\` (\`order_id\`, \`created_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payment_attempts\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`payment_id\` char(36) NOT NULL,
                \`operation\` varchar(30) NOT NULL,
                \`idempotency_key\` varchar(150) NULL,
                \`outcome\` varchar(30) NOT NULL,
                \`detail\` varchar(500) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_payment_attempts_payment\` (\`payment_id\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payment_events\` (
                \`provider\` enum ('manual', 'sandbox', 'stripe') NOT NULL,
                \`event_id\` varchar(100) NOT NULL,
                \`type\` varchar(60) NOT NULL,
                \`event\` json NOT NULL,
                \`processed_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`provider\`, \`event_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payment_refunds\` (
                \`id\` char(36) NOT NULL,
                \`payment_id\` char(36) NOT NULL,
                \`amount\` int UNSIGNED NOT NULL,
                \`state\` enum ('pending', 'succeeded', 'failed') NOT NULL,
                \`provider_reference\` varchar(100) NULL,
                \`reason\` varchar(500) NULL,
                \`requested_by\` varchar(100) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_payment_refunds_payment\` (\`payment_id\`, \`created_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`sandbox_charges\` (
                \`id\` varchar(40) NOT NULL,
                \`idempotency_key\` varchar(150) NOT NULL,
                \`payment_id\` char(36) NOT NULL,
                \`card\` varchar(30) NOT NULL,
                \`amount\` int UNSIGNED NOT NULL,
                \`currency\` char(3) NOT NULL,
                \`state\` varchar(40) NOT NULL,
                \`captured\` int UNSIGNED NOT NULL DEFAULT '0',
                \`refunded\` int UNSIGNED NOT NULL DEFAULT '0',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_sandbox_charges_idempotency\` (\`idempotency_key\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`sandbox_refunds\` (
                \`idempotency_key\` varchar(150) NOT NULL,
                \`id\` varchar(40) NOT NULL,
                \`charge_id\` varchar(40) NOT NULL,
                \`amount\` int UNSIGNED NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`idempotency_key\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`orders\` CHANGE \`payment_method\` \`payment_method\` enum ('card', 'bank_transfer', 'cash_on_delivery') NOT NULL
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`orders\` CHANGE \`payment_method\` \`payment_method\` enum ('bank_transfer', 'cash_on_delivery') NOT NULL
        `);
    await queryRunner.query(`
            DROP TABLE \`sandbox_refunds\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_sandbox_charges_idempotency\` ON \`sandbox_charges\`
        `);
    await queryRunner.query(`
            DROP TABLE \`sandbox_charges\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_payment_refunds_payment\` ON \`payment_refunds\`
        `);
    await queryRunner.query(`
            DROP TABLE \`payment_refunds\`
        `);
    await queryRunner.query(`
            DROP TABLE \`payment_events\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_payment_attempts_payment\` ON \`payment_attempts\`
        `);
    await queryRunner.query(`
            DROP TABLE \`payment_attempts\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_payments_order\` ON \`payments\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_payments_provider_reference\` ON \`payments\`
        `);
    await queryRunner.query(`
            DROP TABLE \`payments\`
        `);
  }
}
