/**
 * One row per customer notification written for a domain event (event id, template): what makes
 * each order mail go once, however often Bull delivers the event and however long ago.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class NotificationsSent1797200000001 implements MigrationInterface {
  name = 'NotificationsSent1797200000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE \`notifications_sent\` (
        \`event_id\` varchar(40) NOT NULL,
        \`template\` varchar(40) NOT NULL,
        \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (\`event_id\`, \`template\`)
      ) ENGINE=InnoDB
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`notifications_sent\``);
  }
}
