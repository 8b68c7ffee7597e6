import { MigrationInterface, QueryRunner } from 'typeorm';

export class CatalogJobs1795493983271 implements MigrationInterface {
  name = 'CatalogJobs1795493983271';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`catalog_job_files\` (
                \`job_id\` char(36) NOT NULL,
                \`seq\` int UNSIGNED NOT NULL,
                \`data\` mediumblob NOT NULL,
                PRIMARY KEY (\`job_id\`, \`seq\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`catalog_jobs\` (
                \`id\` char(36) NOT NULL,
                \`kind\` enum ('import', 'export') NOT NULL,
                \`state\` enum ('queued', 'running', 'completed', 'failed') NOT NULL DEFAULT 'queued',
                \`total_rows\` int UNSIGNED NULL,
                \`rows_done\` int UNSIGNED NOT NULL DEFAULT '0',
                \`rows_failed\` int UNSIGNED NOT NULL DEFAULT '0',
                \`rows_created\` int UNSIGNED NOT NULL DEFAULT '0',
                \`rows_updated\` int UNSIGNED NOT NULL DEFAULT '0',
                \`errors\` json NOT NULL,
                \`failure\` varchar(500) NULL,
                \`attempts\` int UNSIGNED NOT NULL DEFAULT '0',
                \`file_sha256\` char(64) CHARACTER SET "ascii" COLLATE "ascii_bin" NOT NULL,
                \`file_bytes\` int UNSIGNED NOT NULL,
                \`created_by\` varchar(64) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`started_at\` datetime(3) NULL,
                \`finished_at\` datetime(3) NULL,
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE \`catalog_jobs\`
        `);
    await queryRunner.query(`
            DROP TABLE \`catalog_job_files\`
        `);
  }
}
