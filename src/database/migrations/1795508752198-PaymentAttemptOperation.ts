import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Widens payment_attempts.operation for provider event names (`webhook:payment_intent.succeeded` did
 * not fit 30 characters). Hand-written as MODIFY: the generated DROP/ADD would lose the history.
 */
export class PaymentAttemptOperation1795508752198 implements MigrationInterface {
  name = 'PaymentAttemptOperation1795508752198';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `payment_attempts` MODIFY `operation` varchar(80) NOT NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `payment_attempts` MODIFY `operation` varchar(30) NOT NULL');
  }
}
