import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795477683283 implements MigrationInterface {
  name = 'Init1795477683283';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`outbox\` (
                \`id\` bigint UNSIGNED NOT NULL AUTO_INCREMENT,
                \`queue\` varchar(64) NOT NULL,
                \`job_name\` varchar(128) NOT NULL,
                \`payload\` json NOT NULL,
                \`delay_ms\` int UNSIGNED NOT NULL DEFAULT '0',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`published_at\` datetime(3) NULL,
                \`attempts\` int UNSIGNED NOT NULL DEFAULT '0',
                \`last_error\` varchar(512) NULL,
                INDEX \`idx_outbox_unpublished\` (\`published_at\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`idx_outbox_unpublished\` ON \`outbox\`
        `);
    await queryRunner.query(`
            DROP TABLE \`outbox\`
        `);
  }
}
