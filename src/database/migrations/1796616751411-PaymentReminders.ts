/**
 * When a bank-transfer order's customer was reminded to pay: set once, so the reminder goes once.
 * Unpaid cash-on-delivery orders lose their deadline (they never expire now).
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentReminders1796616751411 implements MigrationInterface {
  name = 'PaymentReminders1796616751411';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`orders\`
            ADD \`payment_reminder_sent_at\` datetime(3) NULL
        `);
    // Cash on delivery has no payment deadline any more: orders placed before keep their stock until
    // they ship, instead of being left for the expiry sweep to find again every minute.
    await queryRunner.query(`
      UPDATE \`orders\` SET \`expires_at\` = NULL
       WHERE \`payment_method\` = 'cash_on_delivery' AND \`status\` = 'pending_payment'
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`orders\` DROP COLUMN \`payment_reminder_sent_at\`
        `);
  }
}
