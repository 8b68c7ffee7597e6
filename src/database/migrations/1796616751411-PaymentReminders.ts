/** When a bank-transfer order's customer was reminded to pay: set once, so the reminder goes once. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentReminders1796616751411 implements MigrationInterface {
  name = 'PaymentReminders1796616751411';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`orders\`
            ADD \`payment_reminder_sent_at\` datetime(3) NULL
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`orders\` DROP COLUMN \`payment_reminder_sent_at\`
        `);
  }
}
