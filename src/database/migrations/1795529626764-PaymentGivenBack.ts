/** Marks payments whose money goes back by itself, so they no longer block the order's next payment. */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentGivenBack1795529626764 implements MigrationInterface {
  name = 'PaymentGivenBack1795529626764';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`payments\`
            ADD \`given_back_at\` datetime(3) NULL
        `);
    // Payments whose money was already going back by itself: refunds the system asked for, and
    // authorizations it voided (those carry only the flag).
    await queryRunner.query(`
      UPDATE \`payments\` p SET p.\`given_back_at\` = p.\`updated_at\`
       WHERE EXISTS (SELECT 1 FROM \`payment_refunds\` r
                      WHERE r.\`payment_id\` = p.\`id\` AND r.\`requested_by\` = 'system:late-payment')
          OR p.\`flagged_reason\` LIKE '%voided automatically%'
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`payments\` DROP COLUMN \`given_back_at\`
        `);
  }
}
