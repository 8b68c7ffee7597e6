import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1795502468760 implements MigrationInterface {
  name = 'IdempotencyKeys1795502468760';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`idempotency_keys\` (
                \`scope\` varchar(100) NOT NULL,
                \`key_hash\` char(64) NOT NULL,
                \`request_fingerprint\` char(64) NOT NULL,
                \`method\` varchar(10) NOT NULL,
                \`path\` varchar(500) NOT NULL,
                \`state\` enum ('in_flight', 'completed') NOT NULL,
                \`claim_token\` char(32) NOT NULL,
                \`response_status\` smallint UNSIGNED NULL,
                \`response_body\` mediumtext NULL,
                \`response_content_type\` varchar(100) NULL,
                \`locked_until\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`expires_at\` datetime(3) NOT NULL,
                INDEX \`ix_idempotency_keys_expires_at\` (\`expires_at\`),
                PRIMARY KEY (\`scope\`, \`key_hash\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`ix_idempotency_keys_expires_at\` ON \`idempotency_keys\`
        `);
    await queryRunner.query(`
            DROP TABLE \`idempotency_keys\`
        `);
  }
}
