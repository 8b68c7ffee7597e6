import { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1795486376348 implements MigrationInterface {
  name = 'Identity1795486376348';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`api_keys\` (
                \`id\` char(36) NOT NULL,
                \`name\` varchar(100) NOT NULL,
                \`prefix\` varchar(16) NOT NULL,
                \`key_hash\` char(64) NOT NULL,
                \`scopes\` json NOT NULL,
                \`created_by\` char(36) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`expires_at\` datetime(3) NULL,
                \`last_used_at\` datetime(3) NULL,
                \`revoked_at\` datetime(3) NULL,
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                UNIQUE INDEX \`uq_api_keys_hash\` (\`key_hash\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`audit_log\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`occurred_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`actor_type\` varchar(16) NOT NULL,
                \`actor_id\` varchar(64) NOT NULL,
                \`action\` varchar(64) NOT NULL,
                \`target_type\` varchar(32) NOT NULL,
                \`target_id\` varchar(64) NOT NULL,
                \`request_id\` varchar(128) NOT NULL,
                \`ip\` varchar(45) NOT NULL,
                \`details\` json NULL,
                INDEX \`idx_audit_log_actor\` (\`actor_id\`),
                INDEX \`idx_audit_log_target\` (\`target_type\`, \`target_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`auth_email_tokens\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`user_id\` char(36) NOT NULL,
                \`purpose\` enum ('verify-email', 'reset-password') NOT NULL,
                \`token_hash\` char(64) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`expires_at\` datetime(3) NOT NULL,
                \`used_at\` datetime(3) NULL,
                INDEX \`idx_auth_email_tokens_user\` (\`user_id\`, \`purpose\`),
                UNIQUE INDEX \`uq_auth_email_tokens_hash\` (\`token_hash\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`auth_recovery_codes\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`user_id\` char(36) NOT NULL,
                \`code_hash\` char(64) NOT NULL,
                \`used_at\` datetime(3) NULL,
                UNIQUE INDEX \`uq_auth_recovery_codes_user_code\` (\`user_id\`, \`code_hash\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`auth_refresh_tokens\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`session_id\` char(36) NOT NULL,
                \`token_hash\` char(64) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`used_at\` datetime(3) NULL,
                INDEX \`idx_auth_refresh_tokens_session\` (\`session_id\`),
                UNIQUE INDEX \`uq_auth_refresh_tokens_hash\` (\`token_hash\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`auth_sessions\` (
                \`id\` char(36) NOT NULL,
                \`user_id\` char(36) NOT NULL,
                \`token_epoch\` int UNSIGNED NOT NULL,
                \`user_agent\` varchar(255) NOT NULL,
                \`ip\` varchar(45) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`last_used_at\` datetime(3) NOT NULL,
                \`expires_at\` datetime(3) NOT NULL,
                \`revoked_at\` datetime(3) NULL,
                \`revoke_reason\` varchar(32) NULL,
                INDEX \`idx_auth_sessions_user\` (\`user_id\`, \`revoked_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`users\` (
                \`id\` char(36) NOT NULL,
                \`email\` varchar(254) NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`password_hash\` varchar(255) NOT NULL,
                \`role\` enum ('customer', 'staff', 'admin') NOT NULL DEFAULT 'customer',
                \`status\` enum ('active', 'disabled') NOT NULL DEFAULT 'active',
                \`email_verified_at\` datetime(3) NULL,
                \`mfa_secret\` varchar(512) NULL,
                \`mfa_pending_secret\` varchar(512) NULL,
                \`mfa_enabled_at\` datetime(3) NULL,
                \`mfa_last_step\` bigint NULL,
                \`token_epoch\` int UNSIGNED NOT NULL DEFAULT '0',
                \`version\` int UNSIGNED NOT NULL DEFAULT '1',
                \`deletion_requested_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_users_email\` (\`email\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`uq_users_email\` ON \`users\`
        `);
    await queryRunner.query(`
            DROP TABLE \`users\`
        `);
    await queryRunner.query(`
            DROP INDEX \`idx_auth_sessions_user\` ON \`auth_sessions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`auth_sessions\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_auth_refresh_tokens_hash\` ON \`auth_refresh_tokens\`
        `);
    await queryRunner.query(`
            DROP INDEX \`idx_auth_refresh_tokens_session\` ON \`auth_refresh_tokens\`
        `);
    await queryRunner.query(`
            DROP TABLE \`auth_refresh_tokens\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_auth_recovery_codes_user_code\` ON \`auth_recovery_codes\`
        `);
    await queryRunner.query(`
            DROP TABLE \`auth_recovery_codes\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_auth_email_tokens_hash\` ON \`auth_email_tokens\`
        `);
    await queryRunner.query(`
            DROP INDEX \`idx_auth_email_tokens_user\` ON \`auth_email_tokens\`
        `);
    await queryRunner.query(`
            DROP TABLE \`auth_email_tokens\`
        `);
    await queryRunner.query(`
            DROP INDEX \`idx_audit_log_target\` ON \`audit_log\`
        `);
    await queryRunner.query(`
            DROP INDEX \`idx_audit_log_actor\` ON \`audit_log\`
        `);
    await queryRunner.query(`
            DROP TABLE \`audit_log\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_api_keys_hash\` ON \`api_keys\`
        `);
    await queryRunner.query(`
            DROP TABLE \`api_keys\`
        `);
  }
}
