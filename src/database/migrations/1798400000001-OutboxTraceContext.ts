/**
 * The W3C trace context of the work that wrote an outbox row (NULL when tracing is off), so the job
 * the row becomes continues that trace. Nullable columns added at the end: one instant ALTER on
 * MariaDB (10.3+) and MySQL 8, however many rows the outbox holds.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxTraceContext1798400000001 implements MigrationInterface {
  name = 'OutboxTraceContext1798400000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE \`outbox\`
        ADD \`traceparent\` varchar(55) NULL,
        ADD \`tracestate\` varchar(512) NULL
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `outbox` DROP COLUMN `tracestate`, DROP COLUMN `traceparent`');
  }
}
