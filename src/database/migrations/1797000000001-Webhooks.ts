/**
 * Outgoing webhooks (issue 17): endpoints with sealed secrets, one delivery per (event, endpoint) —
 * the unique key makes a redelivered event create nothing — and every attempt of every delivery.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1797000000001 implements MigrationInterface {
  name = 'Webhooks1797000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`webhook_endpoints\` (
                \`id\` char(36) NOT NULL,
                \`url\` varchar(2048) NOT NULL,
                \`description\` varchar(500) NULL,
                \`event_types\` json NOT NULL,
                \`enabled\` tinyint NOT NULL DEFAULT 1,
                \`disabled_reason\` varchar(16) NULL,
                \`disabled_at\` datetime(3) NULL,
                \`secret_sealed\` varchar(512) NOT NULL,
                \`previous_secret_sealed\` varchar(512) NULL,
                \`previous_secret_expires_at\` datetime(3) NULL,
                \`failing_since\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_webhook_endpoints_enabled\` (\`enabled\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`webhook_deliveries\` (
                \`id\` varchar(40) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`endpoint_id\` char(36) NOT NULL,
                \`event_id\` varchar(64) NOT NULL,
                \`event_type\` varchar(64) NOT NULL,
                \`body\` mediumtext NOT NULL,
                \`status\` enum ('pending', 'delivered', 'failed') NOT NULL DEFAULT 'pending',
                \`series\` int UNSIGNED NOT NULL DEFAULT '0',
                \`attempt_count\` int UNSIGNED NOT NULL DEFAULT '0',
                \`next_attempt_at\` datetime(3) NULL,
                \`last_status_code\` smallint UNSIGNED NULL,
                \`last_error\` varchar(512) NULL,
                \`delivered_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_webhook_deliveries_event_endpoint\` (\`event_id\`, \`endpoint_id\`),
                INDEX \`ix_webhook_deliveries_endpoint_created\` (\`endpoint_id\`, \`created_at\`, \`id\`),
                INDEX \`ix_webhook_deliveries_endpoint_status_created\` (\`endpoint_id\`, \`status\`, \`created_at\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`webhook_attempts\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`delivery_id\` varchar(40) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`series\` int UNSIGNED NOT NULL,
                \`attempt\` int UNSIGNED NOT NULL,
                \`attempted_at\` datetime(3) NOT NULL,
                \`outcome\` enum ('delivered', 'failed', 'gone', 'refused') NOT NULL,
                \`status_code\` smallint UNSIGNED NULL,
                \`duration_ms\` int UNSIGNED NOT NULL,
                \`response_body\` text NULL,
                \`error\` varchar(512) NULL,
                UNIQUE INDEX \`uq_webhook_attempts_delivery_series_attempt\` (\`delivery_id\`, \`series\`, \`attempt\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `webhook_attempts`');
    await queryRunner.query('DROP TABLE `webhook_deliveries`');
    await queryRunner.query('DROP TABLE `webhook_endpoints`');
  }
}
