import { MigrationInterface, QueryRunner } from 'typeorm';

export class RefundReferenceUnique1795514607148 implements MigrationInterface {
  name = 'RefundReferenceUnique1795514607148';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE UNIQUE INDEX \`uq_payment_refunds_provider_reference\` ON \`payment_refunds\` (\`payment_id\`, \`provider_reference\`)
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`uq_payment_refunds_provider_reference\` ON \`payment_refunds\`
        `);
  }
}
