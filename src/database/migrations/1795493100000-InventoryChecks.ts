import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database itself refuses negative stock and over-reservation (DESIGN.md invariant 1), whatever
 * a bug in the application does. MariaDB 10.2+ and MySQL 8.0.16+ enforce CHECK constraints.
 * (TypeORM does not model CHECKs on MySQL: hand-written.)
 */
export class InventoryChecks1795493100000 implements MigrationInterface {
  name = 'InventoryChecks1795493100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `inventory_levels`' +
        ' ADD CONSTRAINT `chk_inventory_levels_on_hand` CHECK (`on_hand` >= 0),' +
        ' ADD CONSTRAINT `chk_inventory_levels_reserved` CHECK (`reserved` >= 0),' +
        ' ADD CONSTRAINT `chk_inventory_levels_available` CHECK (`reserved` <= `on_hand`)',
    );
    await queryRunner.query(
      'ALTER TABLE `inventory_reservation_lines` ADD CONSTRAINT `chk_reservation_lines_quantity` CHECK (`quantity` > 0)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `inventory_reservation_lines` DROP CONSTRAINT `chk_reservation_lines_quantity`',
    );
    await queryRunner.query(
      'ALTER TABLE `inventory_levels` DROP CONSTRAINT `chk_inventory_levels_available`,' +
        ' DROP CONSTRAINT `chk_inventory_levels_reserved`, DROP CONSTRAINT `chk_inventory_levels_on_hand`',
    );
  }
}
