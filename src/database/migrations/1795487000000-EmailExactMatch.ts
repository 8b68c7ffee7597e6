import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users.email compared byte for byte. Under the database default (utf8mb4_unicode_ci) `álice@…`
 * and `alice\u200b@…` found `alice@…`, so look-alike spellings reached one account while counting
 * as different accounts for the login limit. (TypeORM's diff does not see collations: hand-written.)
 */
export class EmailExactMatch1795487000000 implements MigrationInterface {
  name = 'EmailExactMatch1795487000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `users` MODIFY `email` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `users` MODIFY `email` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL',
    );
  }
}
