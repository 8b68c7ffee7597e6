import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentReconcileRestock1795511514418 implements MigrationInterface {
  name = 'PaymentReconcileRestock1795511514418';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`order_lines\`
            ADD \`restocked_quantity\` smallint UNSIGNED NOT NULL DEFAULT '0'
        `);
    // Hand-written: the database itself refuses to restock more units than were shipped.
    await queryRunner.query(`
            ALTER TABLE \`order_lines\`
            ADD CONSTRAINT \`chk_order_lines_restocked\` CHECK (\`restocked_quantity\` <= \`fulfilled_quantity\`)
        `);
    await queryRunner.query(`
            ALTER TABLE \`payments\`
            ADD \`reconciled_at\` datetime(3) NULL
        `);
    await queryRunner.query(`
            ALTER TABLE \`payments\`
            ADD \`request_key_hash\` char(64) NULL
        `);
    await queryRunner.query(`
            CREATE INDEX \`ix_payments_state_reconciled\` ON \`payments\` (\`state\`, \`reconciled_at\`)
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`ix_payments_state_reconciled\` ON \`payments\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`payments\` DROP COLUMN \`request_key_hash\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`payments\` DROP COLUMN \`reconciled_at\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`order_lines\` DROP CONSTRAINT \`chk_order_lines_restocked\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`order_lines\` DROP COLUMN \`restocked_quantity\`
        `);
  }
}
